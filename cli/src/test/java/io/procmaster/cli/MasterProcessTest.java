package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.Await;
import io.procmaster.testing.MasterFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenarios about the master process itself: run `procmaster run` in a JVM of its own. */
class MasterProcessTest {

    private record Running(Process process, Path logFile) {
        String log() throws java.io.IOException {
            return Files.readString(logFile);
        }

        /** The log once it contains {@code text}, or as it is after 30 s or when the master died. */
        String awaitLog(String text) throws Exception {
            return Await.poll(Duration.ofSeconds(30), Duration.ofMillis(100), this::log,
                    log -> log.contains(text) || !process.isAlive());
        }
    }

    private static Running launch(Path dir, int port) throws Exception {
        return launch(dir, port, List.of());
    }

    private static Running launch(Path dir, int port, List<String> prefix) throws Exception {
        Path masterCf = Files.writeString(dir.resolve("master.cf"), "127.0.0.1:" + port + " inet n - n - 3 pm-echo\n");
        String classPath = System.getProperty("java.class.path");
        if (!prefix.isEmpty()) {
            classPath = readableCopy(classPath, dir.resolve("lib"));
        }
        List<String> cmd = new java.util.ArrayList<>(prefix);
        cmd.addAll(ChildJvm.command(classPath, ProcmasterCommand.class.getName(),
                List.of(ChildJvm.runArguments(masterCf, dir, "service_throttle_time=60s"))));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Path logFile = dir.resolve("master.log");
        pb.redirectErrorStream(true).redirectOutput(logFile.toFile());
        Running r = new Running(pb.start(), logFile);
        assertThat(r.awaitLog("daemon started")).contains("daemon started");
        return r;
    }

    /** Jars under the (private) home directory, copied where another user can read them. */
    private static String readableCopy(String classPath, Path lib) throws java.io.IOException {
        Files.createDirectories(lib);
        String home = System.getProperty("user.home");
        List<String> out = new java.util.ArrayList<>();
        for (String e : classPath.split(java.io.File.pathSeparator)) {
            if (e.startsWith(home) && e.endsWith(".jar")) {
                Path copy = lib.resolve(Path.of(e).getFileName());
                Files.copy(Path.of(e), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                copy.toFile().setReadable(true, false);
                out.add(copy.toString());
            } else {
                out.add(e);
            }
        }
        lib.toFile().setExecutable(true, false);
        lib.toFile().setReadable(true, false);
        return String.join(java.io.File.pathSeparator, out);
    }

    private static List<ProcessHandle> children(Process p) {
        return p.toHandle().children().toList();
    }

    @Test
    void scenario25_masterKilledWithSigkillItsChildrenLeave(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Running m = launch(dir, port);
        assertThat(MasterFixture.echo(port, "x", 5000)).isEqualTo("x");
        List<ProcessHandle> kids = children(m.process());
        assertThat(kids).isNotEmpty();
        m.process().destroyForcibly();
        m.process().waitFor(10, TimeUnit.SECONDS);
        // The children see EOF on fd 5 (every status channel closed with the master) and exit.
        for (ProcessHandle k : kids) {
            k.onExit().get(10, TimeUnit.SECONDS);
            assertThat(k.isAlive()).isFalse();
        }
    }

    /**
     * Fork failure: the master is put in a pids cgroup whose limit is what it already has, so
     * its next clone3 fails with EAGAIN, as fork does at RLIMIT_NPROC (which root, running these
     * tests, is exempt from). Skipped where no writable pids cgroup (v1) is mounted.
     */
    @Test
    void scenario09_forkFailureIsLoggedAndThrottles(@TempDir Path dir) throws Exception {
        Path pids = Path.of("/sys/fs/cgroup/pids");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(pids), "no writable pids cgroup");
        Path group = pids.resolve("procmaster-test-" + ProcessHandle.current().pid());
        int port = MasterFixture.freePort();
        Running m = launch(dir, port);
        try {
            Files.createDirectories(group);
            Files.writeString(group.resolve("cgroup.procs"), Long.toString(m.process().pid()));
            Files.writeString(group.resolve("pids.max"), Files.readString(group.resolve("pids.current")).trim());
            try (java.net.Socket client = new java.net.Socket("127.0.0.1", port)) {
                String log = m.awaitLog("throttl");
                assertThat(log).contains("clone3").contains("Resource temporarily unavailable").contains("throttl");
            }
        } finally {
            if (Files.isDirectory(group)) {
                Files.writeString(group.resolve("pids.max"), "max"); // the JVM needs a thread for SIGTERM
            }
            m.process().destroy();
            if (!m.process().waitFor(20, TimeUnit.SECONDS)) {
                m.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (Files.isDirectory(group)) {
                Files.delete(group); // rmdir of an empty cgroup
            }
        }
    }

    @Test
    void scenario26_sigtermStopsChildrenAndTheMaster(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        Running m = launch(dir, port);
        assertThat(MasterFixture.echo(port, "x", 5000)).isEqualTo("x");
        List<ProcessHandle> kids = children(m.process());
        assertThat(kids).isNotEmpty();
        m.process().destroy(); // SIGTERM
        assertThat(m.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(m.process().exitValue()).isZero();
        for (ProcessHandle k : kids) {
            assertThat(k.isAlive()).isFalse();
        }
        assertThat(m.log()).contains("terminating on signal 15").contains("master stopped");
    }
}
