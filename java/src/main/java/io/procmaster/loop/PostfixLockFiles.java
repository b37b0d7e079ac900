package io.procmaster.loop;

import io.procmaster.config.MasterConfig;
import io.procmaster.os.FileNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;

/**
 * The two lock files of a Postfix instance, written and locked as Postfix's master does
 * (docs/postfix-master.md §7.4), so that postfix(1) sees procmaster as the instance's master:
 * {@code postfix status} ({@code master -t} finds {@code pid/master.pid} locked) reports it running
 * with procmaster's pid, {@code postfix reload} and {@code stop} signal that pid (SIGHUP, SIGTERM),
 * {@code postfix start} is refused, and a Postfix master started by hand fails on the lock.
 *
 * <ul>
 *   <li>{@code queue_directory/pid/master.pid}: created mode 0644 (Postfix 3.7; 0600 since 3.9) as
 *       the master's user, flock'd, holding the pid right-aligned in 32 columns and a newline, the
 *       {@code "%*lu\n"} with width {@code 4 * sizeof(unsigned long)} of a 64-bit Postfix.
 *   <li>{@code data_directory/master.lock}: the same content and lock; it belongs to {@code mail_owner}
 *       (Postfix opens it with mail_owner's effective ids; procmaster, as root, gives it to
 *       data_directory's owner when that is mail_owner). Since data_directory is writable by
 *       mail_owner, the file opened must be a regular file with one link, owned by root, the
 *       master's user or mail_owner, and everything (content, owner) goes through the locked
 *       descriptor, never the path again: a link planted there never receives the pid.
 * </ul>
 * Both locks are taken after procmaster's own {@code pid/master.lock} ({@link InstanceLock}, which
 * holds them) and held by open descriptors for the master's life; the kernel drops them however it
 * ends. The files stay after a stop, as Postfix's do: a stale pid in a file nobody locks means
 * "not running" to {@code master -t} and is overwritten by the next master.
 *
 * <p>When: the instance is a Postfix one when its main.cf (or {@code -o}) sets {@value #DATA_DIRECTORY}.
 * procmaster itself has no use for that parameter; every Postfix main.cf sets it (Debian's does).
 *
 * <p>Interface: {@link #dataDirectory}, {@link #acquire}, {@link #pidLine}, {@link #readPid},
 * {@link #close}. Failure modes: {@code queue_directory /q: a master is already running (pid N, lock
 * pid/master.pid)} and {@code data_directory /d: a master is already running (pid N, lock master.lock)}
 * when another master (procmaster or Postfix) holds one; an {@link IOException} naming the file when it
 * cannot be opened, written, or is refused as above.
 */
final class PostfixLockFiles implements AutoCloseable {
    /** The main.cf parameter whose presence makes an instance a Postfix one. */
    static final String DATA_DIRECTORY = "data_directory";
    /** Relative to queue_directory, as Postfix's master (running in queue_directory) names it. */
    static final String PID_FILE = QueueDirectory.PID + "/master.pid";
    /** In data_directory. */
    static final String DATA_LOCK = "master.lock";
    /** Postfix 3.7's creation mode for both (rw-r--r--). */
    static final int MODE = 0644;
    /** The width Postfix prints the pid in on a 64-bit system: 4 * sizeof(unsigned long). */
    static final int PID_WIDTH = 32;

    private final LockedFile pidFile;
    private final LockedFile dataLock;

    private PostfixLockFiles(LockedFile pidFile, LockedFile dataLock) {
        this.pidFile = pidFile;
        this.dataLock = dataLock;
    }

    /** The instance's data_directory when it is a Postfix instance (the parameter is set), else empty. */
    static Optional<Path> dataDirectory(MasterConfig config) {
        return config.get(DATA_DIRECTORY).map(String::strip).filter(s -> !s.isEmpty()).map(Path::of);
    }

    /** The pid line Postfix's master writes: right-aligned in {@value #PID_WIDTH} columns, a newline. */
    static String pidLine(long pid) {
        return String.format("%" + PID_WIDTH + "d", pid) + "\n";
    }

    /** The pid on the first line of a pid file's text, as postfix-script reads it, or 0. */
    static long readPid(String text) {
        String first = text.lines().findFirst().orElse("").strip();
        try {
            return Long.parseLong(first.split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Locks and writes both files for the master {@code pid}; on any failure nothing stays locked.
     * {@code queue} has been checked and locked by {@link InstanceLock}.
     */
    static PostfixLockFiles acquire(Path queue, Path dataDirectory, Optional<UserPrincipal> mailOwner, long pid)
            throws IOException {
        LockedFile pidFile = lock("queue_directory " + queue, queue.resolve(PID_FILE), PID_FILE);
        try {
            write(queue.resolve(PID_FILE), pidFile, pid);
            Path data = dataDirectory.isAbsolute() ? dataDirectory : queue.resolve(dataDirectory);
            Path dataFile = data.resolve(DATA_LOCK);
            LockedFile dataLock = lock("data_directory " + data, dataFile, DATA_LOCK);
            try {
                checkAndOwn(data, dataLock, mailOwner);
                write(dataFile, dataLock, pid);
                return new PostfixLockFiles(pidFile, dataLock);
            } catch (IOException | RuntimeException e) {
                dataLock.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            pidFile.close();
            throw e;
        }
    }

    private static LockedFile lock(String where, Path file, String name) throws IOException {
        LockedFile l;
        try {
            l = LockedFile.tryLock(file, MODE);
        } catch (IOException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
        if (l == null) {
            long holder = 0;
            try {
                holder = readPid(Files.readString(file, StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // unreadable: the refusal says "pid unknown"
            }
            throw new IOException(where + ": a master is already running ("
                    + (holder > 0 ? "pid " + holder : "pid unknown") + ", lock " + name + ")");
        }
        return l;
    }

    /**
     * data_directory belongs to mail_owner, who could put a link to another file there: only a
     * regular file with one link, owned by root, us or mail_owner, is written; one owned by root
     * or us goes to mail_owner (fchown on the locked descriptor), as Postfix creates it with
     * mail_owner's effective uid. mail_owner's uid is data_directory's owner's, when that is
     * mail_owner (Postfix's layout; UserPrincipal has no public uid, but two principals are
     * equal when their uids are); otherwise the file stays the master's.
     */
    private static void checkAndOwn(Path data, LockedFile l, Optional<UserPrincipal> mailOwner)
            throws IOException {
        if (l.links() != 1) {
            throw new IOException("data_directory " + data + ": " + DATA_LOCK + " has " + l.links()
                    + " links: refusing to use it");
        }
        Integer owner = null;
        if (mailOwner.isPresent() && mailOwner.get().equals(Files.getOwner(data, LinkOption.NOFOLLOW_LINKS))) {
            owner = (Integer) Files.getAttribute(data, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        }
        boolean ours = l.ownerUid() == 0 || l.ownerUid() == FileNodes.ownUid();
        if (!ours && (owner == null || l.ownerUid() != owner)) {
            throw new IOException("data_directory " + data + ": " + DATA_LOCK + " is owned by uid " + l.ownerUid()
                    + ", not by root, the master's user or mail_owner: refusing to use it");
        }
        if (ours && owner != null && FileNodes.ownUid() == 0) {
            l.giveTo(owner);
        }
    }

    /**
     * Writes the pid line at offset 0 (and nothing after it) through the locked descriptor: the
     * node written is the one locked and checked, even if the directory's entry changed since.
     */
    private static void write(Path file, LockedFile l, long pid) throws IOException {
        try {
            l.rewrite(pidLine(pid).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Drops both locks (the files stay, as Postfix's do). */
    @Override
    public void close() {
        dataLock.close();
        pidFile.close();
    }
}
