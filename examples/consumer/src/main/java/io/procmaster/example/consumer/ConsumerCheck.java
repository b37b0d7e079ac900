package io.procmaster.example.consumer;

import io.procmaster.Master;
import io.procmaster.config.ServiceSpec;
import io.procmaster.helper.HelperChannelType;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperPools;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperSpec;
import io.procmaster.os.ChildProcess;
import io.procmaster.os.ExitStatus;
import io.procmaster.os.SpawnSpec;
import io.procmaster.os.Spawner;
import io.procmaster.status.ServiceStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * What a new user of procmaster does first, as a program outside the procmaster build: start a
 * master from the Java API and get an echo back through it, ask a helper pool, and spawn a child
 * with procmaster beside a ProcessBuilder child, each keeping its own exit code.
 *
 * The master's figures are read back through JMX.
 *
 * <p>Interface: {@code ConsumerCheck <pm-echo path>}; prints one {@code ok ...} line per step and
 * {@code consumer check passed} at the end, exit 0. Failure modes: any step that does not give the
 * expected answer throws (exit 1, with the step in the message). run.sh runs it on the class
 * path, on the module path and as a shaded jar, and also fails on any JVM warning or a missing
 * log line in what it printed.
 */
public final class ConsumerCheck {
    private ConsumerCheck() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ConsumerCheck <path of pm-echo>");
        }
        Path pmEcho = Path.of(args[0]);
        Module module = ConsumerCheck.class.getModule();
        System.out.println("running " + (module.isNamed() ? "on the module path as " + module.getName()
                : "on the class path") + ", procmaster " + (Master.class.getModule().isNamed()
                ? "module " + Master.class.getModule().getName() : "unnamed"));
        masterEcho(pmEcho);
        helperPool();
        spawnBesideProcessBuilder();
        System.out.println("consumer check passed");
    }

    /** A master built from the Java API, one inet service on a free port; one line echoed through a child it spawned. */
    private static void masterEcho(Path pmEcho) throws Exception {
        Path queue = Files.createTempDirectory("procmaster-consumer");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Master master = Master.builder()
                .queueDirectory(queue)
                .service(ServiceSpec.inet("127.0.0.1:" + port, pmEcho.toString()).maxProc(2))
                .start()) {
            String answer = echo(port, "hello from a consumer");
            if (!answer.equals("hello from a consumer")) {
                throw new IllegalStateException("master echo: got '" + answer + "'");
            }
            ServiceStatus s = master.status().get(0);
            if (s.counts().spawns() < 1) {
                throw new IllegalStateException("master echo: no spawn counted: " + s);
            }
            // The same figure through JMX, as a monitoring agent reads it (docs/metrics.md).
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> names = server.queryNames(new ObjectName("io.procmaster:type=Service,*"), null);
            if (names.size() != 1) {
                throw new IllegalStateException("master echo: service MXBeans " + names);
            }
            // JMX serves a snapshot up to a second old (docs/metrics.md, threading): wait for it.
            Object jmxSpawns = server.getAttribute(names.iterator().next(), "Spawns");
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    Long.valueOf(0).equals(jmxSpawns) && System.nanoTime() < end; ) {
                Thread.sleep(100);
                jmxSpawns = server.getAttribute(names.iterator().next(), "Spawns");
            }
            if (!(jmxSpawns instanceof Long n) || n < 1) {
                throw new IllegalStateException("master echo: JMX Spawns " + jmxSpawns);
            }
            System.out.println("ok master: echo answered through a child; spawns=" + s.counts().spawns()
                    + ", JMX Spawns=" + jmxSpawns);
        }
    }

    private static String echo(int port, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine();
            } catch (java.net.ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** A pool of two /bin/cat helpers: the reply to a request is the request. */
    private static void helperPool() throws Exception {
        HelperSpec spec = HelperSpec.builder("cat", "/bin/cat").channelType(HelperChannelType.STREAM).build();
        HelperPoolConfig config = HelperPoolConfig.builder("cat").children(2).startup(2)
                .requestTimeout(Duration.ofSeconds(10)).build();
        try (HelperPools.Running running = HelperPools.startWithOwnLoop(config, spec)) {
            HelperReply reply = running.pool().submit("OK from a helper").get(10, TimeUnit.SECONDS);
            if (reply.status() != HelperReply.Status.OK || !reply.text().equals("from a helper")) {
                throw new IllegalStateException("helper pool: got " + reply);
            }
            System.out.println("ok helper pool: " + reply.status() + " " + reply.text());
        }
    }

    /** procmaster's spawn reaps through its pidfd only, so the ProcessBuilder child keeps its code. */
    private static void spawnBesideProcessBuilder() throws Exception {
        Process builderChild = new ProcessBuilder("/bin/sh", "-c", "sleep 0.2; exit 7").start();
        ChildProcess child = Spawner.spawn(SpawnSpec.builder("/bin/sh").argv("sh", "-c", "exit 3").build());
        ExitStatus exit = child.waitFor();
        int builderCode = builderChild.waitFor();
        if (exit.code() != 3 || builderCode != 7) {
            throw new IllegalStateException("spawn: procmaster child " + exit + ", ProcessBuilder child " + builderCode);
        }
        System.out.println("ok spawn: procmaster child exited 3, ProcessBuilder child exited 7");
    }
}
