import io.procmaster.Master;
import io.procmaster.config.ServiceSpec;
import io.procmaster.helper.HelperChannelType;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperPools;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperSpec;
import io.procmaster.os.ChildProcess;
import io.procmaster.os.ExitStatus;
import io.procmaster.os.NativeLibrary;
import io.procmaster.os.SpawnException;
import io.procmaster.os.SpawnSpec;
import io.procmaster.os.Spawner;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Java smoke test of the emulated arm64 machine (ci/arm64/guest.sh runs it there, on Debian's
 * arm64 OpenJDK 17): the library loads its aarch64 .so from the linux-aarch64 classifier jar,
 * spawns with clone3 (and with posix_spawn), reaps through the pidfd, reports an exec error
 * synchronously, serves one echo connection under a master (the cross-built pm-echo daemon) and
 * answers through a pool of /bin/cat helpers.
 *
 * <p>Interface: {@code java -cp <procmaster.jar>:<procmaster-linux-aarch64.jar>:<slf4j-api.jar>:<classes>
 * Arm64Smoke <path of pm-echo>}; prints one {@code ok ...} line per step and {@code arm64 smoke
 * passed}, exit 0. Failure modes: a step that does not give the expected answer throws (exit 1,
 * the step named in the message); the library not loading prints its cause (platform and places
 * tried, docs: README "Using it from Java").
 */
public final class Arm64Smoke {
    private Arm64Smoke() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: Arm64Smoke <path of pm-echo>");
        }
        long start = System.nanoTime();
        loadedFromTheAarch64Jar();
        spawnAndReap(SpawnSpec.Mechanism.CLONE3, 3);
        spawnAndReap(SpawnSpec.Mechanism.POSIX_SPAWN, 4);
        execErrorIsSynchronous();
        masterEcho(Path.of(args[0]));
        helperPool();
        System.out.printf("arm64 smoke passed in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    /** os.arch is aarch64, and the library came from META-INF/native/linux-aarch64 in a jar on the class path. */
    private static void loadedFromTheAarch64Jar() throws Exception {
        String arch = System.getProperty("os.arch");
        check(arch.equals("aarch64"), "load: os.arch is " + arch + ", not aarch64");
        check(System.getProperty("procmaster.native.path") == null, "load: -Dprocmaster.native.path is set");
        URL resource = Arm64Smoke.class.getClassLoader().getResource("META-INF/native/linux-aarch64/libprocmaster.so");
        check(resource != null && resource.getProtocol().equals("jar")
                && resource.getPath().contains("-linux-aarch64.jar!"), "load: resource " + resource);
        if (!NativeLibrary.isAvailable()) {
            throw new IllegalStateException("load: the library did not load", NativeLibrary.unavailabilityCause());
        }
        // The extracted copy is mapped (and already deleted: NativeLoader removes it once loaded).
        String mapped = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("libprocmaster")).map(l -> l.substring(l.indexOf('/'))).findFirst().orElse(null);
        check(mapped != null, "load: no libprocmaster mapped in /proc/self/maps");
        System.out.println("ok load: os.arch=" + arch + ", from " + resource.getPath().replaceFirst("!.*", "")
                + ", mapped " + mapped);
    }

    /** One child by the given mechanism: that mechanism reported, a pidfd held, the exit code read through it. */
    private static void spawnAndReap(SpawnSpec.Mechanism mechanism, int code) throws Exception {
        try (ChildProcess child = Spawner.spawn(SpawnSpec.builder("/bin/sh").argv("sh", "-c", "exit " + code)
                .mechanism(mechanism).build())) {
            check(child.mechanism() == mechanism, "spawn: asked " + mechanism + ", used " + child.mechanism());
            int pidfd = child.pidfd();
            check(pidfd >= 0, "spawn: no pidfd: " + child);
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + pidfd)).toString();
            check(link.equals("anon_inode:[pidfd]"), "spawn: fd " + pidfd + " is " + link + ", not a pidfd");
            ExitStatus exit = child.waitFor();
            check(exit.exited() && exit.code() == code && exit.pid() == child.pid(),
                    "spawn: " + mechanism + " child ended " + exit + ", expected exit " + code);
            System.out.println("ok spawn " + mechanism + ": pid " + child.pid() + ", pidfd " + pidfd + " (" + link
                    + "), reaped through it: exit " + exit.code());
        }
    }

    /** clone3's CLONE_VFORK makes an execve failure the spawn's own error, not a child's exit 127. */
    private static void execErrorIsSynchronous() throws Exception {
        try (ChildProcess child = Spawner.spawn(SpawnSpec.builder("/no/such/program")
                .mechanism(SpawnSpec.Mechanism.CLONE3).build())) {
            throw new IllegalStateException("exec error: spawned " + child);
        } catch (SpawnException e) {
            check(e.stage().equals("execve"), "exec error: stage " + e.stage() + ": " + e.getMessage());
            System.out.println("ok exec error (clone3): " + e.getMessage());
        }
    }

    /** A master with one inet service of the cross-built pm-echo; one line echoed through the child it spawned. */
    private static void masterEcho(Path pmEcho) throws Exception {
        Path queue = Files.createTempDirectory("procmaster-arm64");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Master master = Master.builder().queueDirectory(queue).registerMBeans(false)
                .service(ServiceSpec.inet("127.0.0.1:" + port, pmEcho.toString()).maxProc(2)).start()) {
            String answer = echo(port, "hello from arm64");
            check(answer.equals("hello from arm64"), "master echo: got '" + answer + "'");
            long spawns = master.status().get(0).counts().spawns();
            check(spawns >= 1, "master echo: no spawn counted");
            System.out.println("ok master: echo answered through pm-echo on 127.0.0.1:" + port + "; spawns=" + spawns);
        }
    }

    private static String echo(int port, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(60_000);
                OutputStream out = socket.getOutputStream();
                out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
            } catch (ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** Two /bin/cat helpers (a stream helper: the reply is the request line, docs/helper-ipc.md); five requests at once (the pool holds six: 2 helpers + queue 4). */
    private static void helperPool() throws Exception {
        HelperSpec spec = HelperSpec.builder("cat", "/bin/cat").channelType(HelperChannelType.STREAM).build();
        HelperPoolConfig config = HelperPoolConfig.builder("cat").children(2).startup(2)
                .requestTimeout(Duration.ofSeconds(60)).build();
        try (HelperPools.Running running = HelperPools.startWithOwnLoop(config, spec)) {
            List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                replies.add(running.pool().submit("OK request " + i));
            }
            for (int i = 0; i < replies.size(); i++) {
                HelperReply reply = replies.get(i).get(60, TimeUnit.SECONDS);
                check(reply.status() == HelperReply.Status.OK && reply.text().equals("request " + i),
                        "helper pool: request " + i + " got " + reply);
            }
            var stats = running.pool().stats();
            System.out.println("ok helper pool: 5 replies from 2 /bin/cat helpers (submitted=" + stats.submitted()
                    + ", completedOk=" + stats.completedOk() + ", failed=" + stats.failed() + ")");
        }
    }
}
