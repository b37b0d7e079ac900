package io.procmaster.testing;

import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one Jazzer {@code @FuzzTest} method through the JUnit Platform, without Maven: used by
 * {@code ci/fuzz.sh}, which sets {@code JAZZER_FUZZ=1} so that Jazzer fuzzes the method for its
 * {@code maxDuration} instead of replaying its seeds (Jazzer fuzzes one method per JVM).
 *
 * <p>Usage: {@code java -cp <test class path> io.procmaster.testing.FuzzTargetMain <class>#<method>}.
 * Exit status 0 when the test passed (no finding), 1 when it failed (a finding: Jazzer printed it
 * and saved the input), 2 on a usage error or when no such test ran.
 */
public final class FuzzTargetMain {
    private FuzzTargetMain() {
    }

    public static void main(String[] args) throws ClassNotFoundException {
        if (args.length != 1 || !args[0].contains("#")) {
            System.err.println("usage: FuzzTargetMain <class>#<method>");
            System.exit(2);
        }
        String[] target = args[0].split("#", 2);
        Class<?> testClass = Class.forName(target[0]);
        Method method = Arrays.stream(testClass.getDeclaredMethods()).filter(m -> m.getName().equals(target[1]))
                .findFirst().orElse(null);
        if (method == null) {
            System.err.println("FuzzTargetMain: no method " + args[0]);
            System.exit(2);
        }
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectMethod(testClass, method)).build(), listener);
        TestExecutionSummary summary = listener.getSummary();
        summary.printFailuresTo(new java.io.PrintWriter(System.err, true), 30);
        System.err.printf("FuzzTargetMain: %s: %d tests, %d failed%n", args[0], summary.getTestsFoundCount(),
                summary.getTotalFailureCount());
        if (summary.getTestsFoundCount() == 0) {
            System.exit(2);
        }
        System.exit(summary.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
