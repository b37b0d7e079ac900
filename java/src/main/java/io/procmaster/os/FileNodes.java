package io.procmaster.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What kind of file system node is at a path, read from the entry itself (lstat, never through a
 * link), and "unlink it only if it is still the node we made": the file type bits of st_mode
 * ({@code S_IF*}), the node's identity ({@link Node}: st_dev and st_ino), and the process's own
 * uid without /proc.
 *
 * <p>Why identity and not type: a socket or FIFO this master bound may have been unlinked and
 * replaced (by an operator, by another master on a copied configuration) with a node of the same
 * type; only (dev, ino) says it is still ours.
 *
 * <p>Interface: {@link #lstat}, {@link #type}, {@link Node#of}, {@link Node#unlinkIfStill},
 * {@link #ownUid}. Failure modes: {@link IOException} from the file system (a missing entry is
 * {@code null}, not an error); {@link #ownUid} never reads /proc.
 */
public final class FileNodes {
    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFREG = 0100000;

    private FileNodes() {
    }

    /** The entry's own mode, uid, dev and ino (lstat), or null when there is none. */
    public static Map<String, Object> lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, "unix:mode,uid,dev,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The {@code S_IF*} type of attributes read by {@link #lstat}. */
    public static int type(Map<String, Object> lstat) {
        return (Integer) lstat.get("mode") & S_IFMT;
    }

    /**
     * The uid this process runs as (getuid), from the JDK's {@code UnixSystem}: no /proc needed,
     * so a master in a container or chroot without /proc still knows who it is.
     */
    public static int ownUid() {
        return (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }

    /** One node's identity: the device and inode numbers of the entry itself. */
    public record Node(long dev, long ino) {
        /** The node at {@code p} (lstat), or null when there is none. */
        public static Node of(Path p) throws IOException {
            Map<String, Object> a = lstat(p);
            return a == null ? null : of(a);
        }

        /** The node described by attributes read by {@link FileNodes#lstat}. */
        public static Node of(Map<String, Object> lstat) {
            return new Node(((Number) lstat.get("dev")).longValue(), ((Number) lstat.get("ino")).longValue());
        }

        /**
         * Unlinks {@code p} when it is still this node; returns false (and leaves it) when another
         * node is there, or nothing. A replacement between the check and the unlink is not
         * excluded (there is no unlink-by-inode), so callers hold the instance lock, which keeps
         * other masters out of that window.
         */
        public boolean unlinkIfStill(Path p) throws IOException {
            if (!equals(of(p))) {
                return false;
            }
            try {
                Files.delete(p);
                return true;
            } catch (NoSuchFileException e) {
                return false;
            }
        }
    }
}
