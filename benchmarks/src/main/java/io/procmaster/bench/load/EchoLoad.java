package io.procmaster.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * EchoLoad - the load generator of benchmark 5 (on-demand serving): N concurrent clients each
 * repeat connect, send one line, read the echoed line, close, against any loopback host:port
 * served by a line-echo daemon ({@code pm-echo} under the Postfix master or under procmaster).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.procmaster.bench.load.EchoLoad [--host 127.0.0.1]
 * --port P [--clients 8] [--connections 20000] [--seconds 30] [--warmup 1000] [--label name]
 * [--watch-pid PID]}.
 * {@code --probe} connects once and exits 0 if an echo came back (for scripts that wait for a
 * listener). Bounded: it stops at the connection count or the time limit, whichever comes
 * first. Loopback only: any other address is refused.
 *
 * <p>Output: a human summary and one machine-readable line
 * {@code echoload label=... clients=... connections=... errors=... seconds=... conn_per_s=...
 * p50_us=... p90_us=... p99_us=... max_us=...}. Latency is per connection, connect to close.
 * Exit 1 when any connection failed or the echo differed.
 *
 * <p>With {@code --watch-pid PID} (the master under test) it also samples that process's CPU
 * ({@link ProcCpu}) when the load starts, when the warm-up ends and when the counted connections
 * end, and prints two more lines: {@code echoload-cpu label=... phase=all connections=N ...} (warm-up
 * included, the JVM's start excluded: the master has served the probe before) and
 * {@code echoload-cpu label=... phase=counted connections=N ...} (after the warm-up), each with
 * {@code cpu_ms user_ms sys_ms us_per_conn} and the per-thread groups ({@code loop_ms jit_ms gc_ms
 * vm_ms other_ms gone_ms}). The samples are taken here, between the phases, so no connection of
 * the other phase is in them.
 */
public final class EchoLoad {
    private static final int CONNECT_TIMEOUT_MS = 5000;
    private static final int READ_TIMEOUT_MS = 10000;

    private EchoLoad() {
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = -1;
        int clients = 8;
        long connections = 20000;
        long warmup = 1000;
        double seconds = 30;
        String label = "echo";
        boolean probe = false;
        long watchPid = -1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--host" -> host = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--connections" -> connections = Long.parseLong(args[++i]);
                case "--warmup" -> warmup = Long.parseLong(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--label" -> label = args[++i];
                case "--probe" -> probe = true;
                case "--watch-pid" -> watchPid = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("EchoLoad: unknown argument " + a);
                    System.exit(2);
                }
            }
        }
        if (port <= 0 || clients <= 0 || connections <= 0 || seconds <= 0) {
            System.err.println("EchoLoad: --port is required; counts and times must be positive");
            System.exit(2);
        }
        InetAddress addr = InetAddress.getByName(host);
        if (!addr.isLoopbackAddress()) {
            System.err.println("EchoLoad: refusing non-loopback address " + addr);
            System.exit(2);
        }
        InetSocketAddress target = new InetSocketAddress(addr, port);
        if (probe) {
            try {
                once(target, "probe");
                System.exit(0);
            } catch (IOException e) {
                System.exit(1);
            }
        }
        // Warm-up: the JIT, and the server's first children; not counted.
        ProcCpu.Sample cpu0 = watchPid > 0 ? ProcCpu.sample(watchPid) : null;
        Result w = run(target, clients, Math.min(warmup, connections), seconds);
        ProcCpu.Sample cpu1 = watchPid > 0 ? ProcCpu.sample(watchPid) : null;
        Result r = run(target, clients, connections, seconds);
        ProcCpu.Sample cpu2 = watchPid > 0 ? ProcCpu.sample(watchPid) : null;
        long[] lat = r.latencies;
        Arrays.sort(lat);
        double conn = lat.length / r.seconds;
        System.out.printf(Locale.ROOT, "%s on %s: %d connections (%d errors) by %d clients in %.2f s: %.0f conn/s, "
                        + "latency p50 %.0f us, p90 %.0f us, p99 %.0f us, max %.0f us%n",
                label, target, lat.length, r.errors, clients, r.seconds, conn, pct(lat, 0.5), pct(lat, 0.9),
                pct(lat, 0.99), lat.length == 0 ? 0.0 : lat[lat.length - 1] / 1e3);
        System.out.printf(Locale.ROOT, "echoload label=%s clients=%d connections=%d errors=%d seconds=%.3f "
                        + "conn_per_s=%.0f p50_us=%.0f p90_us=%.0f p99_us=%.0f max_us=%.0f%n",
                label, clients, lat.length, r.errors, r.seconds, conn, pct(lat, 0.5), pct(lat, 0.9), pct(lat, 0.99),
                lat.length == 0 ? 0.0 : lat[lat.length - 1] / 1e3);
        if (cpu0 != null) {
            long warmed = w.latencies.length;
            System.out.printf(Locale.ROOT, "echoload-cpu label=%s pid=%d phase=all connections=%d %s%n", label,
                    watchPid, warmed + lat.length, cpu2.minus(cpu0).format(warmed + lat.length));
            System.out.printf(Locale.ROOT, "echoload-cpu label=%s pid=%d phase=counted connections=%d %s%n", label,
                    watchPid, lat.length, cpu2.minus(cpu1).format(lat.length));
        }
        if (r.firstError != null) {
            System.err.println("EchoLoad: first error: " + r.firstError);
        }
        System.exit(r.errors == 0 && lat.length > 0 ? 0 : 1);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.round(p * (sorted.length - 1));
        return sorted[i] / 1e3;
    }

    private record Result(long[] latencies, long errors, double seconds, String firstError) {
    }

    private static Result run(InetSocketAddress target, int clients, long connections, double seconds)
            throws InterruptedException {
        AtomicLong tickets = new AtomicLong(connections);
        AtomicLong errors = new AtomicLong();
        String[] firstError = new String[1];
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long[][] per = new long[clients][];
        int[] count = new int[clients];
        Thread[] threads = new Thread[clients];
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            final int me = c;
            per[c] = new long[(int) Math.min(Integer.MAX_VALUE - 8, connections)];
            threads[c] = new Thread(() -> {
                String line = "hello from client " + me;
                while (tickets.getAndDecrement() > 0 && System.nanoTime() - deadline < 0) {
                    long s = System.nanoTime();
                    try {
                        once(target, line);
                        per[me][count[me]++] = System.nanoTime() - s;
                    } catch (IOException e) {
                        if (errors.getAndIncrement() == 0) {
                            synchronized (firstError) {
                                firstError[0] = e.toString();
                            }
                        }
                    }
                }
            }, "echoload-" + c);
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        int total = 0;
        for (int n : count) {
            total += n;
        }
        long[] all = new long[total];
        int k = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(per[c], 0, all, k, count[c]);
            k += count[c];
        }
        synchronized (firstError) {
            return new Result(all, errors.get(), secs, firstError[0]);
        }
    }

    /** One connection: connect, one line out, the same line back, close. */
    static void once(InetSocketAddress target, String line) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(target, CONNECT_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String back = in.readLine();
            if (!line.equals(back)) {
                throw new IOException("echo mismatch: sent \"" + line + "\", got \"" + back + "\"");
            }
        }
    }

}
