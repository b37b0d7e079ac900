package io.procmaster.master;

import io.procmaster.Master;
import io.procmaster.testing.ProcSelf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JVM that {@link ContainerEntrypointTest} runs in a new PID namespace, under pm-init or as
 * PID 1 itself: it starts a master whose one service is a script that double-forks orphans and
 * exits, keeps a connection pending so that the master spawns it again after each throttle, and
 * meanwhile runs {@code sh -c "exit 7"} through ProcessBuilder. It prints one line per finding:
 * {@code exit codes: [...]}, {@code orphans: N}, {@code zombies: [...]} (every process in state Z
 * in the namespace after the master stopped), or {@code refused: message} and exit 3 when the
 * master does not start. Exit 0 otherwise, 2 on a setup failure.
 *
 * <p>Arguments: the test's directory, the loopback port, the pm-echo directory (daemon_directory).
 */
public final class ContainerEntrypointMain {
    static final int PROCESS_BUILDER_RUNS = 20;
    static final int ORPHANS_WANTED = 10;
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private ContainerEntrypointMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        Path orphans = dir.resolve("orphans");
        Path script = dir.resolve("orphaner");
        // Five orphans per spawn: each subshell starts a background sh and exits at once; the sh,
        // reparented to PID 1, writes its pid and exits. The script exits too (no status record),
        // so the master throttles the service and spawns it again for the pending connection.
        Files.writeString(script, "#!/bin/sh\nfor i in 1 2 3 4 5; do (sh -c 'echo $$ >> " + orphans
                + "' &); done\nexit 0\n");
        script.toFile().setExecutable(true);
        Path masterCf = dir.resolve("master.cf");
        Files.writeString(masterCf, "127.0.0.1:" + port + " inet n - n - 1 " + script + "\n");
        Master master;
        try {
            master = Master.start(masterCf, null, List.of("daemon_directory=" + args[2],
                    "queue_directory=" + dir.resolve("queue"), "services_file=", "service_throttle_time=1s",
                    "service_drain_time=2s"));
        } catch (IOException e) {
            System.out.println("refused: " + e.getMessage());
            System.exit(3);
            return;
        }
        List<Integer> codes = new ArrayList<>();
        try (Socket pending = new Socket()) {
            pending.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (codes.size() < PROCESS_BUILDER_RUNS || lines(orphans) < ORPHANS_WANTED) {
                if (System.nanoTime() - deadline > 0) {
                    break;
                }
                // At least PROCESS_BUILDER_RUNS, and on for as long as orphans are still coming.
                codes.add(new ProcessBuilder("sh", "-c", "exit 7").start().waitFor());
            }
        } finally {
            master.stop().get(30, TimeUnit.SECONDS);
        }
        System.out.println("exit codes: " + codes);
        System.out.println("orphans: " + lines(orphans));
        // Every orphan has written its line by now; an unreaped one stays in state Z.
        List<String> zombies = zombies();
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
             !zombies.isEmpty() && System.nanoTime() - deadline < 0; zombies = zombies()) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        System.out.println("zombies: " + zombies);
        System.exit(0);
    }

    private static long lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    /** "pid (comm)" of every process in state Z that /proc shows. */
    private static List<String> zombies() throws IOException {
        return ProcSelf.allZombies().stream().map(ProcSelf.Zombie::name).toList();
    }
}
