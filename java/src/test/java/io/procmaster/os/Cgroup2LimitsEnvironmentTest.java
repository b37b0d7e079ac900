package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The environment the cgroup2-tagged tests need, checked without procmaster's own code: a cgroup2
 * mount whose cgroup (this JVM's, from /proc/self/cgroup) hands the memory and pids controllers to
 * the cgroups made under it, and the kernel enforcing them there: pids.max stops forks past it
 * (pids.events counts them), memory.max ends a process that grows past it (memory.events counts
 * the OOM kill). CI's KVM guest (ci/kvm/, README "Platforms") is such an environment; a host with
 * hybrid cgroups (controllers bound to v1) is not.
 *
 * <p>Where the environment lacks them the test is skipped and says why, unless the system
 * property {@code procmaster.test.cgroup2.required} is true (ci/kvm/cgroup2-tests.sh sets it in
 * the guest): then it fails, so a guest that lost its controllers cannot make every cgroup2 test
 * skip unseen. The cgroup it makes has a unique name and is removed, its processes killed first
 * (cgroup.kill).
 */
@Tag("cgroup2")
class Cgroup2LimitsEnvironmentTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private Path cgroup;

    @BeforeEach
    void makeCgroup() throws IOException {
        Path parent = delegatingCgroup();
        cgroup = parent.resolve("procmaster-env-check-" + UUID.randomUUID());
        Files.createDirectory(cgroup);
    }

    @AfterEach
    void removeCgroup() throws Exception {
        if (cgroup == null || !Files.isDirectory(cgroup)) {
            return;
        }
        Files.writeString(cgroup.resolve("cgroup.kill"), "1");
        Await.until("cgroup " + cgroup + " empty", BOUND, () -> read(cgroup.resolve("cgroup.events")),
                events -> events.contains("populated 0"));
        Files.delete(cgroup);
    }

    @Test
    void pidsMaxStopsForksPastIt() throws Exception {
        Files.writeString(cgroup.resolve("pids.max"), "3");
        assertThat(read(cgroup.resolve("pids.max"))).isEqualTo("3");
        // The shell joins the cgroup, then asks for six background children: three processes at most.
        Process shell = start("echo $$ > \"$1/cgroup.procs\" || exit 99; "
                + "for i in 1 2 3 4 5 6; do sleep 600 & done; wait");
        String events = Await.until("a fork refused in " + cgroup, BOUND,
                () -> read(cgroup.resolve("pids.events")), e -> !e.equals("max 0"));
        assertThat(events).startsWith("max ");
        assertThat(Long.parseLong(read(cgroup.resolve("pids.current")))).isBetween(1L, 3L);
        shell.destroyForcibly().waitFor(BOUND.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void memoryMaxEndsAProcessThatGrowsPastIt() throws Exception {
        Files.writeString(cgroup.resolve("memory.max"), "16777216");
        Path swapMax = cgroup.resolve("memory.swap.max");   // absent where swap is not accounted
        if (Files.exists(swapMax)) {
            Files.writeString(swapMax, "0");
        }
        assertThat(read(cgroup.resolve("memory.max"))).isEqualTo("16777216");
        // tail keeps the last line, and 256 MiB of zeros is one line: it grows until memory.max ends it.
        Process shell = start("echo $$ > \"$1/cgroup.procs\" || exit 99; "
                + "head -c 268435456 /dev/zero | tail -n 1 > /dev/null; echo \"tail status $?\"");
        assertThat(shell.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("the shell ends").isTrue();
        // The shell says "Killed" first (the pipeline's last command died of a signal), then the status.
        List<String> out = new String(shell.getInputStream().readAllBytes()).lines().toList();
        assertThat(out).as("tail is killed by SIGKILL (128 + 9)").endsWith("tail status 137");
        assertThat(field(read(cgroup.resolve("memory.events")), "oom_kill")).isGreaterThanOrEqualTo(1L);
    }

    /** This JVM's cgroup2 directory, if it hands memory and pids down; else skips (or fails when required). */
    private static Path delegatingCgroup() throws IOException {
        Optional<Path> mount = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(line -> line.split(" "))
                .filter(f -> Arrays.asList(f).indexOf("-") > 0
                        && "cgroup2".equals(f[Arrays.asList(f).indexOf("-") + 1]))
                .map(f -> Path.of(f[4]))
                .findFirst();
        if (mount.isEmpty()) {
            unavailable("no cgroup2 mount in /proc/self/mountinfo");
        }
        String own = Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
                .filter(l -> l.startsWith("0::")).map(l -> l.substring(3)).findFirst().orElse("/");
        Path dir = mount.get().resolve(own.substring(1));
        List<String> offered = words(read(dir.resolve("cgroup.controllers")));
        if (!offered.containsAll(List.of("memory", "pids"))) {
            unavailable("the cgroup2 cgroup " + dir + " offers [" + String.join(" ", offered)
                    + "], not memory and pids (bound to cgroup v1 here?)");
        }
        List<String> handed = words(read(dir.resolve("cgroup.subtree_control")));
        if (!handed.containsAll(List.of("memory", "pids"))) {
            unavailable("the cgroup2 cgroup " + dir + " hands [" + String.join(" ", handed)
                    + "] to its children (cgroup.subtree_control), not memory and pids");
        }
        if (!Files.isWritable(dir)) {
            unavailable("cannot make a cgroup in " + dir + " (not delegated to this user)");
        }
        return dir;
    }

    private static void unavailable(String why) {
        if (Boolean.getBoolean("procmaster.test.cgroup2.required")) {
            fail("procmaster.test.cgroup2.required is set, but " + why);
        }
        assumeTrue(false, why);
    }

    private Process start(String script) throws IOException {
        return new ProcessBuilder("/bin/sh", "-c", script, "sh", cgroup.toString())
                .redirectErrorStream(true).start();
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    private static List<String> words(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }

    private static long field(String keyed, String key) {
        return keyed.lines().map(l -> l.split(" ")).filter(f -> f[0].equals(key))
                .mapToLong(f -> Long.parseLong(f[1])).findFirst().orElse(-1);
    }
}
