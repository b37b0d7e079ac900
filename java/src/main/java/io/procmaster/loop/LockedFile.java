package io.procmaster.loop;

import io.procmaster.os.Errno;
import io.procmaster.os.FileNodes;
import io.procmaster.os.jni.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An exclusive {@code flock(2)} lock on a file, held by an open descriptor until {@link #close}:
 * the lock style of Postfix's master on Linux (its INTERNAL_LOCK is flock there; see
 * docs/postfix-master.md §7.4), so that Postfix's own tools ({@code master -t}, which
 * {@code postfix status|stop|reload|start} run) see a lock procmaster holds, and procmaster sees
 * one Postfix's master holds. A flock and a POSIX record lock on one file do not see each other
 * on Linux: the style must match.
 *
 * <p>The lock belongs to the open file, not to the process: a second {@link #tryLock} of the
 * same file, from this process too, is refused while the first is open, and closing another
 * descriptor of the file drops nothing. The kernel drops it when the descriptor is closed,
 * however the holder ends (the descriptor is close-on-exec: no child inherits it).
 *
 * <p>The file is opened without following a link at its last component; the node opened is
 * reported ({@link #node}, {@link #links}, {@link #ownerUid}) for the caller to check before it
 * writes. {@link #rewrite} writes through the locked descriptor itself, so what is written is the
 * node that was checked and locked, whatever the directory holds by then (a caller may also write
 * through another descriptor: the lock covers the file, whoever writes it).
 *
 * <p>Interface: {@link #tryLock}, {@link #node}, {@link #links}, {@link #ownerUid}, {@link #rewrite},
 * {@link #giveTo}, {@link #close}.
 * Failure modes: {@code null} from {@link #tryLock} when another open file holds the lock; an
 * {@link IOException} naming the file when it cannot be opened, is a link, or is not a regular file.
 */
final class LockedFile implements AutoCloseable {
    private final int fd;
    private final FileNodes.Node node;
    private final long links;
    private final int ownerUid;
    private boolean closed;

    private LockedFile(int fd, FileNodes.Node node, long links, int ownerUid) {
        this.fd = fd;
        this.node = node;
        this.links = links;
        this.ownerUid = ownerUid;
    }

    /**
     * Opens {@code file} (created with {@code mode} if missing, subject to the umask) and takes an
     * exclusive flock without waiting; {@code null} when another open file holds it.
     */
    static LockedFile tryLock(Path file, int mode) throws IOException {
        Native.ensureAvailability();
        long[] st = new long[5];
        int r = Native.lockFile0(file.toString().getBytes(StandardCharsets.UTF_8), mode, st);
        if (r == -Native.EAGAIN) {
            return null;
        }
        if (r == -Native.EINVAL && st[1] != 0) {
            throw new IOException(file + " is not a regular file: refusing to use it");
        }
        if (r < 0) {
            throw new IOException("cannot lock " + file + ": " + Errno.text(-r)
                    + (r == -Native.ELOOP ? " (a symbolic link: not followed)" : ""));
        }
        return new LockedFile(r, new FileNodes.Node(st[0], st[1]), st[3], (int) st[4]);
    }

    /** The node the lock is on (st_dev, st_ino of the file opened). */
    FileNodes.Node node() {
        return node;
    }

    /** Its link count when it was opened: a file also reachable elsewhere has more than one. */
    long links() {
        return links;
    }

    /** Its owner's uid when it was opened. */
    int ownerUid() {
        return ownerUid;
    }

    /** Replaces the file's content (at most 4096 bytes) through the locked descriptor, synced to disk. */
    synchronized void rewrite(byte[] content) throws IOException {
        if (closed) {
            throw new IOException("lock on " + node + " is closed");
        }
        int r = Native.rewrite0(fd, content);
        if (r < 0) {
            throw new IOException("cannot write the locked file " + node + ": " + Errno.text(-r));
        }
    }

    /** Gives the locked node to {@code uid} (fchown; the group stays): never what the path names by now. */
    synchronized void giveTo(int uid) throws IOException {
        if (closed) {
            throw new IOException("lock on " + node + " is closed");
        }
        int r = Native.fchown0(fd, uid);
        if (r < 0) {
            throw new IOException("cannot give the locked file " + node + " to uid " + uid + ": " + Errno.text(-r));
        }
    }

    /** Closes the descriptor, which drops the lock. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.close0(0, fd);
        }
    }
}
