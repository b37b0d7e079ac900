package io.procmaster.cli;

import io.procmaster.Master;
import io.procmaster.time.Clock;
import io.procmaster.time.Durations;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket (replaces Postfix's pid-file lock and signals, docs/postfix-master.md §9 scenario 27): a unix
 * stream socket on which {@code procmaster status|reload|stop} send one command line and read
 * the answer. The first answer line is {@code ok} or {@code error: <why>}.
 *
 * <p>Only the master's own uid or uid 0 may talk to it: the peer's uid comes from the kernel
 * (SO_PEERCRED) and is compared as a number (see {@link PeerCredentials}), so root is admitted
 * even when name lookups fail. The socket file is created mode 0600; see {@link ControlSocketPath}
 * for what is removed before bind and at close.
 *
 * <p>No client can hold up another: one selector thread accepts and reads every connection
 * without blocking; a client has {@link #COMMAND_DEADLINE} to send its line (then it gets
 * {@code error: no command line within 5s} and is closed), a line is at most {@link #MAX_LINE}
 * bytes, and at most {@link #MAX_CONNECTIONS} connections are open at once (more get
 * {@code error: too many control connections}). Complete commands run one after another on one
 * worker thread (status and reload wait for the master's loop there, not on the selector), and
 * the answer is written without blocking, with the same deadline. A connection waiting for the
 * worker gets at most {@link #WORKER_DEADLINE} (then {@code error: command "X" not answered within
 * 2m}); a command that throws, even an Error, is answered {@code error: <what it threw>}. A
 * {@code stop} line, once taken, stops the master whether or not its answer can be delivered (a
 * client that closes at once still stops it). Refusals are logged, rate
 * limited per kind. {@link #close} ends both threads, closes every connection (a waiting client
 * gets {@code error: control socket closing}) and removes the socket file if it is still ours.
 */
final class ControlServer implements AutoCloseable {
    static final Duration COMMAND_DEADLINE = Duration.ofSeconds(5);
    /** How long a connection whose command was taken waits for the worker before it is told so and closed. */
    static final Duration WORKER_DEADLINE = Duration.ofSeconds(120);
    static final int MAX_CONNECTIONS = 16;
    static final int MAX_LINE = 256;
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Loaded with this class, not on the first connection: when descriptors run out, a class file
     * cannot be opened, and a class that failed to load stays failed.
     */
    private static final Class<?> CONNECTION_CLASS = Connection.class;

    /** What the server does with a command line; runs on the worker thread. */
    interface Commands {
        /** The whole answer, starting with {@code ok} or {@code error: }; never throws on bad input. */
        String answer(String command);
    }

    private final ControlSocketPath socket;
    private final Commands commands;
    private final Runnable onStop;
    private final long deadlineNanos;
    private final int maxConnections;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final SelectionKey acceptKey;
    private final PeerCredentials peers;
    private final ExecutorService worker;
    private final Queue<Runnable> forSelector = new ConcurrentLinkedQueue<>();
    /** Connection deadlines and the accept pause; the selector waits real time, so the system clock. */
    private final Clock clock = Clock.system();
    private final RejectionLog rejections = new RejectionLog(log, Duration.ofSeconds(10), clock);
    private final Thread thread;
    private volatile Thread workerThread;
    private int connections; // open Connection objects; selector thread only
    private long acceptPausedUntil;
    private boolean acceptPaused;
    private volatile boolean closed;

    ControlServer(Path path, Master master, Runnable onStop) throws IOException {
        this(path, command -> MasterCommands.answer(master, command), onStop);
    }

    ControlServer(Path path, Commands commands, Runnable onStop) throws IOException {
        this(path, commands, onStop, COMMAND_DEADLINE, MAX_CONNECTIONS);
    }

    ControlServer(Path path, Commands commands, Runnable onStop, Duration commandDeadline, int maxConnections)
            throws IOException {
        this.commands = commands;
        this.onStop = onStop;
        this.deadlineNanos = commandDeadline.toNanos();
        this.maxConnections = maxConnections;
        this.socket = ControlSocketPath.claim(path);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Selector sel = null;
        try {
            s.bind(UnixDomainSocketAddress.of(path));
            socket.bound();
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            peers = PeerCredentials.ofSocketOwner(path);
            s.configureBlocking(false);
            sel = Selector.open();
            acceptKey = s.register(sel, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            s.close();
            if (sel != null) {
                sel.close();
            }
            socket.removeIfOurs();
            throw e;
        }
        server = s;
        selector = sel;
        // One worker, started now (not on the first command); its queue holds at most one command
        // per open connection plus the stops that follow answers.
        ThreadPoolExecutor w = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> workerThread = daemon(r, "procmaster-control-worker"));
        w.prestartAllCoreThreads();
        worker = w;
        thread = daemon(this::serve, "procmaster-control");
        thread.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** One client: reading its line, waiting for the worker, or writing the answer. */
    private final class Connection {
        final SocketChannel channel;
        final SelectionKey key;
        final ByteBuffer in = ByteBuffer.allocate(MAX_LINE);
        long deadline;
        String command;
        ByteBuffer out;
        boolean closed;
        boolean stopPending; // a stop line was taken: the stop happens at close, answered or not

        Connection(SocketChannel channel) throws IOException {
            this.channel = channel;
            this.key = channel.register(selector, SelectionKey.OP_READ, this);
            this.deadline = clock.nanoTime() + deadlineNanos;
            connections++;
        }

        void readable() throws IOException {
            int n = channel.read(in);
            int nl = -1;
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    nl = i;
                    break;
                }
            }
            if (nl < 0 && n >= 0 && !in.hasRemaining()) {
                refuse("long", "error: command line longer than " + MAX_LINE + " bytes\n",
                        "control socket: command line longer than " + MAX_LINE + " bytes, closed");
                return;
            }
            if (nl < 0 && n >= 0) {
                return; // more to come
            }
            if (nl < 0 && in.position() == 0) {
                close(); // connected and left without a word
                return;
            }
            command = new String(in.array(), 0, nl < 0 ? in.position() : nl, StandardCharsets.US_ASCII).trim();
            key.interestOps(0);
            // The worker may be slow (a reload, a master that does not answer), but a connection
            // never waits for ever: its slot comes back even if the answer never does.
            deadline = clock.nanoTime() + Math.max(deadlineNanos, WORKER_DEADLINE.toNanos());
            stopPending = command.equals("stop");
            try {
                worker.execute(this::answerOnWorker);
            } catch (RejectedExecutionException e) {
                close(); // closing down
            }
        }

        private void answerOnWorker() {
            String answer;
            try {
                answer = commands.answer(command);
            } catch (Throwable e) { // an Error too: the client is answered and its slot freed whatever failed
                log.error("{} failed: {}", command, e.toString());
                answer = "error: " + e + "\n";
            }
            String text = answer;
            forSelector.add(() -> startWrite(text));
            selector.wakeup();
        }

        private void startWrite(String answer) {
            if (!channel.isOpen()) {
                return;
            }
            out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
            deadline = clock.nanoTime() + deadlineNanos;
            try {
                writable();
            } catch (IOException e) {
                close();
            }
        }

        void writable() throws IOException {
            channel.write(out);
            if (out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            discardUnread(channel); // bytes after the line would reset the connection on close
            close();
        }

        void expired() {
            if (out == null && command != null) {
                refuse("unanswered", "error: command \"" + command + "\" not answered within "
                        + span(Math.max(deadlineNanos, WORKER_DEADLINE.toNanos())) + "\n",
                        "control socket: " + command + " not answered within "
                        + span(Math.max(deadlineNanos, WORKER_DEADLINE.toNanos())) + ", closed");
            } else if (out == null) {
                refuse("silent", "error: no command line within " + span(deadlineNanos) + "\n",
                        "control socket: no command line within " + span(deadlineNanos) + ", closed");
            } else {
                rejections.warn("unread", "control socket: answer not read within " + span(deadlineNanos) + ", closed");
                close();
            }
        }

        void refuse(String kind, String line, String logMessage) {
            rejections.warn(kind, logMessage);
            tryTell(channel, line);
            close();
        }

        /**
         * Every end of a connection comes here: answered, failed to write (the client left), expired,
         * server closing. A stop that was taken is scheduled here, so it happens whether or not its
         * answer reached the client, and after the answer when it does.
         */
        void close() {
            if (!closed) {
                closed = true;
                connections--;
            }
            key.cancel();
            closeQuietly(channel);
            if (stopPending) {
                stopPending = false;
                try {
                    worker.execute(onStop);
                } catch (RejectedExecutionException e) {
                    onStop.run(); // the server is closing; the stop was taken and must still happen
                }
            }
        }
    }

    private void serve() {
        try {
            while (!closed) {
                selector.select(selectTimeoutMillis());
                if (closed) {
                    break;
                }
                Runnable r;
                while ((r = forSelector.poll()) != null) {
                    r.run();
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    handle(k);
                }
                selector.selectedKeys().clear();
                expire(clock.nanoTime());
                rejections.flushDue(); // a flood that stopped still has its count logged
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            if (!closed) {
                log.error("control socket: the server stopped: {}", e.toString());
            }
        } finally {
            for (SelectionKey k : new ArrayList<>(selector.keys())) {
                if (k.attachment() instanceof Connection c) {
                    tryTell(c.channel, "error: control socket closing\n");
                    c.close();
                }
            }
            closeQuietly(server);
            closeQuietly(selector);
            rejections.flushAll();
        }
    }

    private void handle(SelectionKey k) {
        if (!k.isValid()) {
            return;
        }
        if (k == acceptKey) {
            acceptAll();
            return;
        }
        Connection c = (Connection) k.attachment();
        try {
            if (k.isReadable()) {
                c.readable();
            } else if (k.isWritable()) {
                c.writable();
            }
        } catch (IOException | java.nio.channels.CancelledKeyException e) {
            log.debug("control socket: {}", e.toString());
            c.close();
        }
    }

    private void acceptAll() {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                // EMFILE and the like: the listener stays readable, so pause instead of spinning
                rejections.warn("accept", "control socket: accept: " + e.getMessage());
                acceptKey.interestOps(0);
                acceptPaused = true;
                acceptPausedUntil = clock.nanoTime() + ACCEPT_PAUSE_NANOS;
                return;
            }
            if (ch == null) {
                return;
            }
            admit(ch);
        }
    }

    private void admit(SocketChannel ch) {
        try {
            ch.configureBlocking(false);
            if (connections >= maxConnections) {
                rejections.warn("busy", "control socket: more than " + maxConnections + " connections, refused one");
                tryTell(ch, "error: too many control connections (" + maxConnections + ")\n");
                ch.close();
                return;
            }
            UserPrincipal who = PeerCredentials.peer(ch);
            if (!peers.admits(who)) {
                rejections.warn("refused", "control socket: refused " + PeerCredentials.describe(who));
                tryTell(ch, "error: permission denied for " + PeerCredentials.describe(who) + "\n");
                ch.close();
                return;
            }
            new Connection(ch);
        } catch (IOException e) {
            log.debug("control socket: {}", e.getMessage());
            closeQuietly(ch);
        }
    }

    private long selectTimeoutMillis() {
        long now = clock.nanoTime();
        long next = Math.min(acceptPaused ? acceptPausedUntil : Long.MAX_VALUE, rejections.nextFlushNanos());
        for (SelectionKey k : selector.keys()) {
            if (k.attachment() instanceof Connection c) {
                next = Math.min(next, c.deadline);
            }
        }
        if (next == Long.MAX_VALUE) {
            return 0; // no deadline: wait for an event or a wakeup
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now) + 1);
    }

    private void expire(long now) {
        if (acceptPaused && now - acceptPausedUntil >= 0 && acceptKey.isValid()) {
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        for (SelectionKey k : new ArrayList<>(selector.keys())) {
            if (k.isValid() && k.attachment() instanceof Connection c && now - c.deadline >= 0) {
                c.expired();
            }
        }
    }

    /**
     * One non-blocking write of a short line; a client that cannot take it loses it. What the
     * client sent and nobody read is discarded first (up to 64 KiB): closing a unix socket with
     * unread input resets the connection, and the client would not see the line.
     */
    private static void tryTell(SocketChannel ch, String line) {
        try {
            discardUnread(ch);
            ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // the client is gone or not reading; it is closed next anyway
        }
    }

    /** Reads and drops what is queued (up to 64 KiB, without blocking), so close does not reset. */
    private static void discardUnread(SocketChannel ch) throws IOException {
        ByteBuffer unread = ByteBuffer.allocate(1 << 12);
        for (int i = 0; i < 16 && ch.read(unread) > 0; i++) {
            unread.clear();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("control socket close: {}", e.getMessage());
        }
    }

    /** A deadline as an operator writes it: {@code 5s}, {@code 300ms}, {@code 2m} (docs/cli.md, "Durations"). */
    static String span(long nanos) {
        return Durations.format(Duration.ofNanos(nanos));
    }

    /** Ends the selector and worker threads (waiting a bounded time) and removes our socket file. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        worker.shutdownNow(); // interrupts a command waiting for the master; it answers with an error
        try {
            if (Thread.currentThread() != thread) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            if (Thread.currentThread() != workerThread) {
                worker.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("control socket: the server thread did not end within 10 s");
        }
        socket.removeIfOurs();
    }
}
