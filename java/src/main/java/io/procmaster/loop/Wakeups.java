package io.procmaster.loop;

import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceType;
import io.procmaster.log.Logs;
import io.procmaster.os.Channels;
import io.procmaster.os.Connections;
import io.procmaster.os.EventLoop;
import io.procmaster.os.EventLoopCore;
import io.procmaster.os.Fd;
import io.procmaster.os.FdPair;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.jni.Native;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;

/**
 * Delivers wakeup triggers as Postfix's master does (master_wakeup and the {@code *_trigger}
 * functions; docs/postfix-master.md §5.3 and §5.8), on the loop thread, never blocking it.
 *
 * <p>Per type: unix and inet connect to the service's own socket (non-blocking; at most
 * {@link #CONNECT_WAIT} for the connection), write the trigger, and then <em>hold</em> the
 * connection, registered on the loop, reading and discarding whatever the server writes (Postfix
 * 3.7's tlsmgr and flush announce their protocol when they accept), until the server closes or
 * {@link #HOLD_WAIT} passes, as Postfix's unix_trigger and inet_trigger do (their timeout + 100 s).
 * pass connects the same way, passes the read end of a new pipe over the socket and writes the
 * trigger into the pipe (pass_trigger), holding all three until the server closes. fifo writes the
 * trigger into the FIFO through the master's own read-write descriptor (non-blocking; nothing to
 * hold; a full FIFO already holds triggers the reader has not read, so nothing is lost).
 * unix-dgram takes no trigger (the configuration refuses one, §5.3).
 *
 * <p>At most one held trigger per service: {@link #send} returns false (skipped, the policy
 * counts it) while the previous one is still held. The server has not yet taken that one, and a
 * second trigger would only say the same thing again ("W": do the periodic work). Postfix opens
 * another connection every period regardless; the two differ only for a server that keeps a
 * trigger longer than its period (the stock daemons take theirs at once).
 *
 * <p>Interface (loop thread): {@link #send}, {@link #cancel} (service gone), {@link #closeAll}
 * (stop; also a close hook of the loop, so nothing is left when the loop closes). It is a
 * {@link EventLoop.DeadlineSource}: the earliest connect or hold deadline sizes the loop's wait.
 *
 * <p>Failure modes: a failed connect (nobody listening, a full unix backlog: EAGAIN at once, a
 * connect not done within {@link #CONNECT_WAIT}), pipe, descriptor pass or write is handed to
 * {@code onFailure(serviceId, text)}, later on the loop thread, and the descriptors are closed. A
 * hold that reaches {@link #HOLD_WAIT} is closed with a warning, as Postfix's
 * {@code read timeout for service} (the trigger itself was written). Nothing here throws.
 */
final class Wakeups implements EventLoop.DeadlineSource {
    private static final Logger log = Logs.logger(Wakeups.class);
    /** Postfix's BRIEFLY (master_wakeup.c): how long a trigger may take to connect. */
    static final Duration CONNECT_WAIT = Duration.ofSeconds(1);
    /** Postfix's unix/inet/pass_trigger hold: the timeout plus 100 s. */
    static final Duration HOLD_WAIT = CONNECT_WAIT.plusSeconds(100);

    private final EventLoop loop;
    private final Map<String, Held> held = new HashMap<>();
    private final ByteBuffer discard = ByteBuffer.allocateDirect(4096);

    Wakeups(EventLoop loop) {
        this.loop = loop;
    }

    /**
     * Sends one trigger to the service; false when one is still held for it (skipped). A failure
     * reaches {@code onFailure} later, on the loop thread.
     */
    boolean send(String serviceId, ServiceSpec spec, List<Fd> listeners, byte[] trigger,
            BiConsumer<String, String> onFailure) {
        if (held.containsKey(serviceId)) {
            return false;
        }
        try {
            switch (spec.type()) {
                case FIFO -> writeFifo(listeners.get(0), trigger);
                case UNIX, PASS -> hold(serviceId, spec, Connections.connectUnix(spec.socketPath().orElseThrow().toString()),
                        spec.socketPath().orElseThrow().toString(), trigger, onFailure);
                case INET -> {
                    var e = spec.listenEndpoints().get(0);
                    String host = e.isWildcard() ? "127.0.0.1" : e.host();
                    hold(serviceId, spec, Connections.connectInet(host, e.port()), host + ":" + e.port(), trigger,
                            onFailure);
                }
                default -> fail(onFailure, serviceId, "no wakeup for type " + spec.type().token());
            }
        } catch (NativeIoException | RuntimeException e) {
            fail(onFailure, serviceId, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return true;
    }

    /** The service went: its held trigger (if any) is closed now. */
    void cancel(String serviceId) {
        Held h = held.get(serviceId);
        if (h != null) {
            h.close();
        }
    }

    /** Every held trigger closed (stop, loop close). */
    void closeAll() {
        new ArrayList<>(held.values()).forEach(Held::close);
    }

    @Override
    public long nextDeadlineNanos() {
        long next = Long.MAX_VALUE;
        for (Held h : held.values()) {
            next = Math.min(next, h.deadline);
        }
        return next;
    }

    @Override
    public void onDeadline() {
        long now = loop.clock().nanoTime();
        for (Held h : new ArrayList<>(held.values())) {
            if (h.deadline - now <= 0) { // as the loop compares them: safe across a wrap
                if (h.connecting) {
                    h.close();
                    fail(h.onFailure, h.serviceId, "connect to " + h.what + ": timed out");
                } else {
                    log.warn("wakeup of {}: read timeout for service {}; closed", h.serviceId, h.what);
                    h.close();
                }
            }
        }
    }

    private static void writeFifo(Fd fifo, byte[] trigger) throws NativeIoException {
        ByteBuffer b = ByteBuffer.allocateDirect(trigger.length).put(trigger).flip();
        if (fifo.write(b) == 0) {
            log.debug("wakeup: FIFO full; its reader has triggers waiting");
        }
    }

    private void hold(String serviceId, ServiceSpec spec, Fd conn, String what, byte[] trigger,
            BiConsumer<String, String> onFailure) throws NativeIoException {
        Held h = new Held(serviceId, spec.type() == ServiceType.PASS, conn, what, trigger, onFailure);
        try {
            loop.register(conn.intValue(), EventLoopCore.Kind.FD, Native.EPOLLOUT, h);
        } catch (NativeIoException | RuntimeException e) {
            conn.close();
            throw e;
        }
        h.deadline = deadline(CONNECT_WAIT);
        held.put(serviceId, h);
    }

    private long deadline(Duration d) {
        return loop.clock().nanoTime() + d.toNanos();
    }

    private void fail(BiConsumer<String, String> onFailure, String serviceId, String error) {
        try {
            loop.execute(() -> onFailure.accept(serviceId, error));
        } catch (RejectedExecutionException e) {
            log.debug("wakeup of {} failed while the loop closed: {}", serviceId, error);
        }
    }

    /** One trigger on its way or held: the connection, and for pass the pipe. */
    private final class Held implements EventLoop.Handler {
        final String serviceId;
        final boolean pass;
        final Fd conn;
        final String what;
        final byte[] trigger;
        final BiConsumer<String, String> onFailure;
        FdPair pipe; // pass only: master() the write end, child() the read end passed to the server
        boolean connecting = true;
        long deadline;

        Held(String serviceId, boolean pass, Fd conn, String what, byte[] trigger, BiConsumer<String, String> onFailure) {
            this.serviceId = serviceId;
            this.pass = pass;
            this.conn = conn;
            this.what = what;
            this.trigger = trigger;
            this.onFailure = onFailure;
        }

        @Override
        public void onReady(int events) {
            if (connecting) {
                connected();
            } else {
                drain();
            }
        }

        @Override
        public void onHup() {
            close(); // the loop has forgotten the registration already; close does the rest
        }

        private void connected() {
            try {
                Connections.finishConnect(conn, what);
                ByteBuffer b = ByteBuffer.allocateDirect(trigger.length).put(trigger).flip();
                Fd target = conn;
                if (pass) {
                    pipe = Channels.open(Channels.Kind.PIPE_WRITE_NONBLOCKING);
                    Connections.sendDescriptor(conn, pipe.child());
                    target = pipe.master();
                }
                // A fresh socket or pipe takes two bytes at once; anything less is a failure.
                if (target.write(b) != trigger.length) {
                    throw new NativeIoException("write to " + what + ": short write", Native.EAGAIN);
                }
                connecting = false;
                deadline = deadline(HOLD_WAIT);
                loop.modify(conn.intValue(), Native.EPOLLIN);
            } catch (NativeIoException | RuntimeException e) {
                close();
                fail(onFailure, serviceId, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }

        /**
         * Reads and discards what the server wrote; closes at its end (or an error). At most 16
         * reads per event, so a server that writes without end cannot keep the loop here: the
         * descriptor stays readable and the loop comes back after serving the others.
         */
        private void drain() {
            try {
                for (int reads = 0; reads < 16; reads++) {
                    discard.clear();
                    int n = conn.read(discard);
                    if (n < 0) {
                        close(); // the server closed: it has taken the trigger
                        return;
                    }
                    if (n == 0) {
                        return; // nothing more now; keep holding
                    }
                }
                return; // more may come: the next readiness event reads on
            } catch (NativeIoException e) {
                log.debug("wakeup of {}: {}", serviceId, e.getMessage());
            }
            close();
        }

        void close() {
            if (held.get(serviceId) == this) {
                held.remove(serviceId);
            }
            if (conn.isOpen()) {
                loop.unregister(conn.intValue());
                conn.close();
            }
            if (pipe != null) {
                pipe.close();
            }
        }
    }
}
