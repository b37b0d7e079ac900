package io.procmaster.loop;

import io.procmaster.config.MasterConfig;
import io.procmaster.os.FileNodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One master per queue directory: an exclusive lock on {@code pid/master.lock}, taken before the
 * master deletes or binds anything there and held for its lifetime, as Postfix's master does with
 * its own lock file. The file also says who holds it and which flow pipe that master's children
 * got, so that a master started after a crash can find them ({@link PreviousInstance}):
 * <pre>
 * pid 1234
 * start 1733080000123
 * flow pipe:[56789]
 * </pre>
 * It is written once, when the lock is taken (nothing per spawn), and emptied at a clean close.
 *
 * <p>The lock is an exclusive {@code flock} ({@link LockedFile}), the style Postfix's master uses on
 * Linux, which the kernel drops when its holder dies, however it dies. It belongs to the open
 * descriptor the master keeps; data are read and written through a second descriptor, whose close
 * drops nothing. A second master in the same JVM is refused from a table of the locks this JVM
 * holds, without opening the file (its message names the holder even before the file says it).
 * The table is keyed by the lock file's node (st_dev, st_ino, read with lstat), the same thing the
 * kernel locks, whatever path reached it.
 *
 * <p>In a Postfix instance (main.cf sets {@code data_directory}) the same acquisition then takes
 * Postfix's own two lock files, {@code pid/master.pid} and {@code data_directory/master.lock}
 * ({@link PostfixLockFiles}), so that one lock model answers "is a master running here?" for
 * procmaster, Postfix's master and postfix(1) alike (docs/postfix-master.md §7.4): a second
 * procmaster stops at {@code pid/master.lock}, a Postfix master at {@code pid/master.pid}, and
 * procmaster refuses to start next to a running Postfix master at {@code pid/master.pid}.
 *
 * <p>The lock file must be a regular file: anything else there (a FIFO, whose read would wait for
 * a writer; a socket; a link, never followed) is refused before it is opened, and the node opened
 * is checked to be the one examined.
 *
 * <p>Interface: {@link #acquire(MasterConfig)} (and {@link #acquire(Path)}, the queue directory's
 * lock alone), {@link #previous}, {@link #record}, {@link #close}. Failure
 * modes: {@code queue_directory /q: a master is already running (pid N, lock pid/master.lock)};
 * in a Postfix instance also those of {@link PostfixLockFiles#acquire} (lock pid/master.pid, or
 * data_directory's master.lock);
 * {@code queue_directory /q: pid/master.lock is not a regular file: refusing to use it}; an
 * {@link IOException} naming the file when it cannot be opened (a link there is not followed).
 */
final class InstanceLock implements AutoCloseable {
    static final String FILE = QueueDirectory.PID + "/master.lock";

    /**
     * What a holder wrote: its pid, the start (epoch ms) of the master that made the flow pipe, the
     * flow pipe ("pipe:[ino]", or "unknown"), and the boot it ran in (the kernel's boot_id), as far
     * as known.
     */
    record Holder(long pid, long startMillis, String flowPipe, String bootId) {
        static final Holder NONE = new Holder(0, 0, "", "");

        boolean known() {
            return pid > 0;
        }

        static Holder parse(String text) {
            long pid = 0;
            long start = 0;
            String flow = "";
            String boot = "";
            for (String line : text.split("\n")) {
                String[] kv = line.strip().split(" ", 2);
                try {
                    switch (kv[0]) {
                        case "pid" -> pid = Long.parseLong(kv[1].strip());
                        case "start" -> start = Long.parseLong(kv[1].strip());
                        case "flow" -> flow = kv[1].strip();
                        case "boot" -> boot = kv[1].strip();
                        default -> {
                            // an unknown line: ignored, so that a later format can add lines
                        }
                    }
                } catch (RuntimeException e) {
                    return NONE; // not ours, or torn: nothing can be inferred from it
                }
            }
            return new Holder(pid, start, flow, boot);
        }

        String format() {
            return "pid " + pid + "\nstart " + startMillis + "\nflow " + flowPipe + "\nboot " + bootId + "\n";
        }
    }

    private static final Map<FileNodes.Node, Holder> HELD_IN_THIS_JVM = new ConcurrentHashMap<>();
    private static final Set<OpenOption> OPEN_OPTIONS = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);

    private final FileNodes.Node key;
    private final FileChannel channel;
    private final LockedFile lock;
    private final Holder previous;
    private PostfixLockFiles postfix;
    private boolean closed;

    private InstanceLock(FileNodes.Node key, FileChannel channel, LockedFile lock, Holder previous) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
        this.previous = previous;
    }

    /**
     * Takes the lock of {@code config}'s queue directory and, in a Postfix instance, Postfix's
     * pid/master.pid and data_directory/master.lock after it (released again when those fail).
     */
    static InstanceLock acquire(MasterConfig config) throws IOException {
        InstanceLock l = acquire(config.queueDirectory());
        Optional<Path> data = PostfixLockFiles.dataDirectory(config);
        if (data.isPresent()) {
            try {
                l.postfix = PostfixLockFiles.acquire(config.queueDirectory(), data.get(), config.mailOwner(),
                        ProcessHandle.current().pid());
            } catch (IOException | RuntimeException e) {
                l.abandon();
                throw e;
            }
        }
        return l;
    }

    /**
     * Takes the lock of {@code queue} (already checked by {@link QueueDirectory#prepare}).
     * Serialised within the JVM: between this JVM's look at its table and its open of the file, no
     * other master of this JVM may open (and by closing, unlock) the same file.
     */
    static synchronized InstanceLock acquire(Path queue) throws IOException {
        Path file = queue.resolve(FILE);
        FileNodes.Node key = lockFileNode(queue, file);
        Holder other = HELD_IN_THIS_JVM.putIfAbsent(key, new Holder(ProcessHandle.current().pid(), 0, "", ""));
        if (other != null) {
            throw alreadyRunning(queue, other); // nothing opened: this JVM's lock on the file stays
        }
        FileChannel ch = null;
        LockedFile lock = null;
        Holder found;
        try {
            ch = FileChannel.open(file, OPEN_OPTIONS);
            if (!key.equals(lockFileNode(queue, file))) {
                throw new IOException(FILE + " was replaced while it was opened");
            }
            lock = LockedFile.tryLock(file, 0644);
            if (lock != null && !key.equals(lock.node())) {
                throw new IOException(FILE + " was replaced while it was opened");
            }
            found = read(ch);
            if (lock != null) {
                InstanceLock l = new InstanceLock(key, ch, lock, found);
                // Our pid at once (for a master refused meanwhile); the previous flow pipe, with the
                // start and boot of the master that made it, until its children are ended, so that
                // a crash in between still leaves them findable.
                l.write(new Holder(ProcessHandle.current().pid(), found.startMillis(), found.flowPipe(),
                        found.bootId()).format());
                return l;
            }
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            if (ch != null) {
                ch.close();
            }
            HELD_IN_THIS_JVM.remove(key);
            throw new IOException("queue_directory " + queue + ": cannot lock " + FILE + ": " + e, e);
        }
        ch.close(); // another open file holds the lock: closing ours drops nothing
        HELD_IN_THIS_JVM.remove(key);
        throw alreadyRunning(queue, found);
    }

    /**
     * The lock file's node (lstat, created empty if missing): only a regular file will do; a FIFO,
     * a socket, a device or a link there is refused before anything opens it.
     */
    private static FileNodes.Node lockFileNode(Path queue, Path file) throws IOException {
        Map<String, Object> a = FileNodes.lstat(file);
        if (a == null) {
            try {
                // Created and closed at once: nobody can hold a lock on a file that did not exist.
                Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-r--r--"))).close();
            } catch (FileAlreadyExistsException raced) {
                // made meanwhile: checked like anything found there
            } catch (IOException e) {
                throw new IOException("queue_directory " + queue + ": cannot create " + FILE + ": " + e, e);
            }
            a = FileNodes.lstat(file);
        }
        if (a == null || FileNodes.type(a) != FileNodes.S_IFREG) {
            throw new IOException("queue_directory " + queue + ": " + FILE
                    + (a == null ? " vanished while it was created" : " is not a regular file: refusing to use it"));
        }
        return FileNodes.Node.of(a);
    }

    private static IOException alreadyRunning(Path queue, Holder h) {
        return new IOException("queue_directory " + queue + ": a master is already running ("
                + (h.known() ? "pid " + h.pid() : "pid unknown") + ", lock " + FILE + ")");
    }

    private static Holder read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(512);
        ch.position(0);
        while (b.hasRemaining() && ch.read(b) > 0) {
            // a small file: read it all (or its first 512 bytes, all a holder writes)
        }
        return Holder.parse(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII));
    }

    /** What the previous holder wrote (it is gone: the lock is ours), or {@link Holder#NONE}. */
    Holder previous() {
        return previous;
    }

    /** Writes this master's pid and flow pipe into the file. */
    void record(String flowPipe) throws IOException {
        Holder me = new Holder(ProcessHandle.current().pid(), startMillis(), flowPipe, PreviousInstance.bootId());
        HELD_IN_THIS_JVM.put(key, me);
        write(me.format());
    }

    private static long startMillis() {
        return ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    }

    private void write(String text) throws IOException {
        channel.truncate(0);
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        channel.position(0);
        while (b.hasRemaining()) {
            channel.write(b);
        }
        channel.force(false);
    }

    /**
     * Releases the lock of a master that will not run after all, putting back what the previous
     * holder wrote: the next master then looks for that one's children, under that one's pid.
     */
    private void abandon() {
        try {
            write(previous.known() ? previous.format() : "");
        } catch (IOException e) {
            // the record then names this pid: the next master still finds the previous flow pipe
        }
        close(false);
    }

    /**
     * Releases the lock; {@code clean} (every child is gone) also empties the file, so that the
     * next master has no previous instance to look for.
     */
    synchronized void close(boolean clean) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (clean) {
                write("");
            }
        } catch (IOException e) {
            // the next master looks for children that are not there: harmless
        }
        if (postfix != null) {
            postfix.close();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // the lock is on the other descriptor
        }
        lock.close(); // last: from here another master may take the queue directory
        HELD_IN_THIS_JVM.remove(key);
    }

    @Override
    public void close() {
        close(false);
    }
}
