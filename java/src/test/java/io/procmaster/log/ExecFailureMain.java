package io.procmaster.log;

import io.procmaster.Master;
import io.procmaster.config.ServiceSpec;
import io.procmaster.status.ServiceStatus;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;

/**
 * The consumer of {@link NoProviderFallbackTest}, run in a JVM of its own whose class path the test
 * chooses: starts a master with one inet service whose command does not exist, connects once (the
 * master spawns, the exec fails, the policy logs it and throttles the service), waits until the
 * master counts the failure, closes, and prints {@code done} on stdout.
 *
 * <p>Arguments: queue directory, port. Exit status 0 when the spawn failure was counted within 20 s,
 * 2 otherwise.
 */
public final class ExecFailureMain {
    private ExecFailureMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        try (Master master = Master.builder().queueDirectory(Path.of(args[0]))
                .service(ServiceSpec.inet("127.0.0.1:" + port, "/nonexistent/pm-missing-daemon"))
                .registerMBeans(false).start()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline) {
                ServiceStatus st = master.status().get(0);
                if (st.counts().spawnFailures() > 0) {
                    System.out.println("done");
                    return;
                }
                Thread.sleep(20);
            }
        }
        System.exit(2);
    }
}
