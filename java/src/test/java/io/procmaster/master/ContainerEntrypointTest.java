package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.TestBin;
import io.procmaster.testing.TestJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master as a container's entrypoint (docs/containers.md, issue 14 item 5), in a new PID
 * namespace ({@code unshare --pid --fork --mount-proc}; skipped with the reason where that is not
 * permitted): under pm-init as PID 1, orphans are reaped and ProcessBuilder keeps its exit codes;
 * with the JVM itself as PID 1, or as a child subreaper, the master refuses and says why and what
 * to run instead. {@link ContainerEntrypointMain} is the JVM in the namespace.
 */
class ContainerEntrypointTest {
    private static final String UNSHARE = "/usr/bin/unshare";

    @Test
    void underPmInitOrphansAreReapedAndProcessBuilderKeepsItsExitCodes(@TempDir Path dir) throws Exception {
        assumeNamespaces();
        List<String> cmd = new ArrayList<>(List.of(UNSHARE, "--pid", "--fork", "--mount-proc",
                TestBin.path("pm-init"), "--"));
        String out = runMain(cmd, dir);
        out.lines().filter(l -> l.matches("(exit codes|orphans|zombies): .*")).forEach(System.out::println);
        assertThat(out).doesNotContain("refused:");
        Matcher codes = Pattern.compile("exit codes: \\[([0-9, ]*)\\]").matcher(out);
        assertThat(codes.find()).as("the main's output:\n%s", out).isTrue();
        List<String> each = List.of(codes.group(1).split(", "));
        assertThat(each).hasSizeGreaterThanOrEqualTo(ContainerEntrypointMain.PROCESS_BUILDER_RUNS).containsOnly("7");
        Matcher orphans = Pattern.compile("orphans: ([0-9]+)").matcher(out);
        assertThat(orphans.find()).as("the main's output:\n%s", out).isTrue();
        assertThat(Long.parseLong(orphans.group(1))).isGreaterThanOrEqualTo(ContainerEntrypointMain.ORPHANS_WANTED);
        assertThat(out).as("no process in state Z is left in the namespace").contains("zombies: []");
    }

    @Test
    void theJvmAsPid1RefusesAndSaysWhyAndWhatToRunInstead(@TempDir Path dir) throws Exception {
        assumeNamespaces();
        String out = runMain(new ArrayList<>(List.of(UNSHARE, "--pid", "--fork", "--mount-proc")), dir);
        assertThat(out).contains("refused: the master refuses to start: this JVM is PID 1")
                .contains("zombie").contains("ProcessBuilder").contains("exit codes")
                .contains("pm-init -- procmaster run").contains("docker run --init").contains("tini")
                .doesNotContain("exit codes: [");
    }

    @Test
    void aJvmThatIsAChildSubreaperRefuses(@TempDir Path dir) throws Exception {
        // prctl(PR_SET_CHILD_SUBREAPER = 36) survives execve: python sets it, then becomes the JVM.
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3 to set the subreaper bit");
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "-c",
                "import ctypes, os, sys\n"
                        + "if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0: sys.exit('prctl failed')\n"
                        + "os.execv(sys.argv[1], sys.argv[1:])\n"));
        String out = runMain(cmd, dir);
        assertThat(out).contains("refused: the master refuses to start: this JVM is a child subreaper")
                .contains("zombie").contains("ProcessBuilder").contains("pm-init -s -- procmaster run");
    }

    /** Skips the test, with the reason, where a new PID namespace cannot be made. */
    private static void assumeNamespaces() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(UNSHARE)), "no " + UNSHARE);
        Process probe = new ProcessBuilder(UNSHARE, "--pid", "--fork", "--mount-proc", "/bin/true")
                .redirectErrorStream(true).start();
        String why = new String(probe.getInputStream().readAllBytes()).strip();
        assumeTrue(probe.waitFor() == 0, "unshare --pid --fork --mount-proc is not permitted here: " + why);
    }

    /** Runs {@link ContainerEntrypointMain} after the given prefix; its output (stdout and stderr). */
    private static String runMain(List<String> cmd, Path dir) throws Exception {
        cmd.addAll(TestJvm.command(List.of(), ContainerEntrypointMain.class, dir.toString(),
                Integer.toString(MasterFixture.freePort()), Path.of(TestBin.path("pm-echo")).getParent().toString()));
        TestJvm.Ended run = TestJvm.run(cmd, dir.resolve("main.log"), Duration.ofSeconds(120));
        assertThat(run.ended()).as("the main ended within 120 s; its output:\n%s", run.output()).isTrue();
        return run.output();
    }
}
