package io.procmaster.cli;

import io.procmaster.os.FileNodes;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket's file: what may be removed before bind and at close.
 *
 * <p>Before bind ({@link #claim}): nothing there is fine; a socket nobody listens on (a master
 * that died) is unlinked; a socket someone listens on means a master is already running; anything
 * else (a regular file, a directory, a symlink, even one to a socket) is refused and left alone.
 * The instance lock, taken before the control socket, keeps a second master from racing this
 * check. At close ({@link #removeIfOurs}) the file is unlinked only if it is still the socket this
 * master bound (same inode).
 *
 * <p>Failure modes: {@link IOException} naming the path for every refusal.
 */
final class ControlSocketPath {
    private static final Logger log = LoggerFactory.getLogger(ControlSocketPath.class);
    private final Path path;
    private FileNodes.Node bound;

    private ControlSocketPath(Path path) {
        this.path = path;
    }

    /** Makes room for a bind at {@code path} as described in the class comment. */
    static ControlSocketPath claim(Path path) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        Map<String, Object> a = FileNodes.lstat(path);
        if (a == null) {
            return new ControlSocketPath(path);
        }
        if (FileNodes.type(a) != FileNodes.S_IFSOCK) {
            throw new IOException("control socket " + path + ": exists and is not a socket: refusing to remove it");
        }
        if (isListening(path)) {
            throw new IOException("a master is already running on " + path);
        }
        Files.delete(path);
        log.info("control socket {}: removed a stale socket nobody listened on", path);
        return new ControlSocketPath(path);
    }

    /** Someone accepts connections there (a full backlog counts too); never waits. */
    private static boolean isListening(Path path) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.configureBlocking(false);
            c.connect(UnixDomainSocketAddress.of(path)); // connected, or pending on a full backlog
            return true;
        } catch (ConnectException e) {
            return false; // ECONNREFUSED: a socket file nobody listens on
        }
    }

    Path path() {
        return path;
    }

    /** Call right after bind: remembers which file is ours. */
    void bound() throws IOException {
        bound = FileNodes.Node.of(path);
    }

    /** Unlinks the socket if it is still the one {@link #bound} saw; leaves anything else alone. */
    void removeIfOurs() {
        try {
            if (bound != null && !bound.unlinkIfStill(path) && FileNodes.lstat(path) != null) {
                log.warn("control socket {}: replaced by another file since bind; left alone", path);
            }
        } catch (IOException e) {
            log.warn("control socket {}: cannot remove: {}", path, e.getMessage());
        }
    }
}
