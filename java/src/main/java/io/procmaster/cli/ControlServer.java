package io.procmaster.cli;

import io.procmaster.Master;
import io.procmaster.config.ConfigException;
import io.procmaster.loop.MasterLoop;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket (replaces Postfix's pid-file lock and signals, spec scenario 27): a unix
 * stream socket on which {@code procmaster status|reload|stop} send one command line and read
 * the answer. The first answer line is {@code ok} or {@code error: <why>}.
 *
 * <p>Only the master's own user or root may talk to it: the peer's credentials come from the
 * kernel (SO_PEERCRED), not from anything the client says. The socket file is created mode 0600.
 */
final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private final Path path;
    private final ServerSocketChannel server;
    private final Master master;
    private final Thread thread;
    private final Runnable onStop;
    private volatile boolean closed;

    ControlServer(Path path, Master master, Runnable onStop) throws IOException {
        this.path = path;
        this.master = master;
        this.onStop = onStop;
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (Files.exists(path)) {
            if (ControlClient.isAnswering(path)) {
                throw new IOException("a master is already running on " + path);
            }
            Files.delete(path); // stale, from a master that died
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        thread = new Thread(this::serve, "procmaster-control");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        String me = System.getProperty("user.name");
        while (!closed) {
            try (SocketChannel c = server.accept()) {
                UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
                String who = peer.user().getName();
                if (!who.equals(me) && !who.equals("root")) {
                    log.warn("control socket: refused user {}", who);
                    reply(c, "error: permission denied for user " + who + "\n");
                    continue;
                }
                String command = readLine(c);
                reply(c, answer(command));
                if (command.equals("stop")) {
                    onStop.run();
                }
            } catch (IOException e) {
                if (!closed) {
                    log.warn("control socket: {}", e.getMessage());
                }
            }
        }
    }

    private String answer(String command) {
        try {
            switch (command) {
                case "status":
                    return "ok\n" + master.statusText();
                case "reload":
                    return reload(master);
                case "stop":
                    return "ok stopping\n";
                default:
                    return "error: unknown command \"" + command + "\" (status, reload, stop)\n";
            }
        } catch (IOException | RuntimeException e) {
            log.error("{} failed: {}", command, e.getMessage());
            return "error: " + e.getMessage() + "\n";
        }
    }

    /**
     * Re-reads master.cf and applies it (the control socket's reload and SIGHUP alike); logs the
     * outcome and returns the answer: {@code ok <summary>} plus warnings, or {@code error: <why>}
     * with the old configuration still running.
     */
    static String reload(Master master) {
        try {
            MasterLoop.ReloadResult r = master.reload();
            StringBuilder sb = new StringBuilder("ok " + r.summary() + "\n");
            r.warnings().forEach(w -> sb.append("warning: ").append(w).append('\n'));
            return sb.toString();
        } catch (ConfigException e) {
            log.error("reload refused, the old configuration stays: {}", e.report());
            return "error: " + e.report() + "\n";
        } catch (IOException | RuntimeException e) {
            log.error("reload failed, the old configuration stays: {}", e.getMessage());
            return "error: " + e.getMessage() + "\n";
        }
    }

    private static String readLine(SocketChannel c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(256);
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                break;
            }
            if (new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).indexOf('\n') >= 0) {
                break;
            }
        }
        String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
        int nl = s.indexOf('\n');
        return (nl >= 0 ? s.substring(0, nl) : s).trim();
    }

    private static void reply(SocketChannel c, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("control socket close: {}", e.getMessage());
        }
    }
}
