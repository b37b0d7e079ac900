package io.procmaster.child;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The Java twin of {@code pm-echo}: a daemon for the master, written with {@link ChildRuntime}.
 * Each connection gets its lines echoed back until it closes. Run it through a wrapper that puts
 * the master's options after the class name (see {@code examples/java-echo}).
 */
public final class EchoDaemon {
    private EchoDaemon() {
    }

    /** Runs the daemon with the master's argv ({@code -s}, {@code -o max_use=N}, ...); exits when {@link ChildRuntime#serve} returns, 1 on a bad option. */
    public static void main(String[] args) throws Exception {
        ChildRuntime rt;
        try {
            rt = ChildRuntime.fromEnvironment(args);
        } catch (IllegalArgumentException e) {
            System.err.println("java-echo: fatal: " + e.getMessage());
            System.exit(1);
            return;
        }
        try (rt) {
            rt.serve((in, out) -> {
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                String line;
                while ((line = r.readLine()) != null) {
                    echo(out, line);
                }
            });
        }
        System.exit(0);
    }

    private static void echo(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
