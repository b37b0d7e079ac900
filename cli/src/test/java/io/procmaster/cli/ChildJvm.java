package io.procmaster.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of a {@code procmaster} JVM that a CLI test starts as a process of its own:
 * this JVM's {@code java}, a 256 KiB thread stack (many such JVMs run beside the test's), then the options of the system property
 * {@code procmaster.test.childJvmOptions} (split at whitespace; empty when unset), the class path,
 * the main class and its arguments.
 *
 * <p>The property exists for the emulated cgroup2 guest (README, "The cgroup2 guest"):
 * {@code ci/kvm/cgroup2-tests.sh} gives these JVMs the options its surefire JVMs already run with
 * (C1 only, the serial collector) and an {@code -XX:ErrorFile} in the share that outlives the
 * guest. A default (tiered, G1) JVM started there was seen to die of SIGSEGV in its own first
 * compiled code, before any procmaster class ran; the JVMs on C1 and the serial collector had
 * not failed so in any guest run.
 */
final class ChildJvm {
    private static final String OPTIONS_PROPERTY = "procmaster.test.childJvmOptions";

    private ChildJvm() {
    }

    /** {@code java -Xss256k <options> -cp <classPath> <mainClass> <args...>}. */
    static List<String> command(String classPath, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xss256k");
        String options = System.getProperty(OPTIONS_PROPERTY, "").strip();
        if (!options.isEmpty()) {
            cmd.addAll(Arrays.asList(options.split("\\s+")));
        }
        cmd.addAll(List.of("-cp", classPath, mainClass));
        cmd.addAll(args);
        return cmd;
    }

    /**
     * {@code run <masterCf> -o ...}: {@link LiveMaster#overrides} for {@code queue} (the build's
     * daemons, no services file, a 2 s drain), then {@code moreOverrides}, each after its {@code -o}.
     */
    static String[] runArguments(Path masterCf, Path queue, String... moreOverrides) {
        List<String> args = new ArrayList<>(List.of("run", masterCf.toString()));
        List<String> overrides = new ArrayList<>(LiveMaster.overrides(queue));
        overrides.addAll(List.of(moreOverrides));
        for (String o : overrides) {
            args.add("-o");
            args.add(o);
        }
        return args.toArray(String[]::new);
    }

    /** {@code procmaster <args...>} in a JVM of its own, on this JVM's class path. */
    static List<String> procmaster(String... args) {
        return command(System.getProperty("java.class.path"), ProcmasterCommand.class.getName(), List.of(args));
    }
}
