package io.procmaster.helper.pool;

import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperState;
import io.procmaster.helper.process.DirectChannel;
import io.procmaster.helper.wire.HelperReplyParser;
import io.procmaster.helper.wire.RequestFraming;
import io.procmaster.helper.wire.WireFormat;
import io.procmaster.os.NativeIoException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The synchronous fast path (docs/helpers.md "The synchronous fast path"): a caller of the blocking
 * {@code HelperPool.request} claims an idle helper without a lock, writes its request, waits for the
 * reply with a bounded poll(2) on the helper's channel, reads and parses it itself, and gives the
 * helper back: two wake-ups (the helper's, then the caller's), as a hand-rolled pool, instead of the
 * loop path's four.
 *
 * <p>Claim (see {@link PooledHelper}'s class comment for the ownership rules): the loop publishes a
 * helper ({@link #publishAll}, after every entry point) only when the pool is started, not shutting
 * down, its admission open, its breaker closed and its queue empty (so the fast path never overtakes
 * a queued request), and the helper is READY, of the current generation, unreserved, with nothing in
 * flight, no timed-out id outstanding, no pending output and no partial reply.
 *
 * <p>Hand-back: anything but the plain happy path (one complete line with the request's id and not
 * BH, written in one go) goes back to the loop as an ordinary in-flight request with the bytes read
 * so far, in one {@code loop.execute} ({@link HelperPoolEngine#takeBack}); the caller then waits on
 * the request's future. So BH retry, timeouts (the caller hands back at the deadline and the loop's
 * timer fires at once), kills, restarts, the breaker and the statistics stay on the one loop path.
 * If the loop no longer takes commands the caller completes the request with
 * {@link HelperException.Closed} itself; the descriptors are closed by the loop's close (or, if that
 * already ran, by the caller, {@link DirectChannel#releaseOffLoop}).
 *
 * <p>Admission and statistics: a fast request takes its count and bytes from the same admission as
 * {@code submit} and gives them back when it completes; its counters (submitted, sent, replies,
 * completed) are adders here, merged into the snapshot ({@link PoolStatistics}).
 *
 * <p>Interface: {@link #request} (any thread but the loop's), {@link #publishAll} (loop thread).
 * Failure modes: none thrown of its own; a request it cannot take ({@code null} from {@link #request})
 * goes the loop path, which refuses what must be refused.
 */
final class FastPath {
    /** The longest single wait for a reply: the caller re-checks the pool's closed state this often. */
    private static final int SLICE_MILLIS = 100;
    private static final int SCRATCH = 64 * 1024;

    /** Per caller thread: the direct buffer replies are read into, the array they are parsed from, and the parser's state. */
    private static final class Scratch {
        final ByteBuffer in = ByteBuffer.allocateDirect(SCRATCH);
        final byte[] line = new byte[SCRATCH];
        final HelperReplyParser.Reader reader = new HelperReplyParser.Reader();
    }

    private static final ThreadLocal<Scratch> SCRATCHES = ThreadLocal.withInitial(Scratch::new);

    private final HelperPoolEngine pool;
    /** The longest a caller waits for another caller's helper before it takes the loop path, and one park of it. */
    private static final long WAIT_NANOS = 2_000_000, PARK_NANOS = 200_000;

    private final AtomicInteger next = new AtomicInteger(); // where the next claim scan starts: callers spread out
    /** Callers parked in {@link #claimOrWait} (a node each while parked; no allocation when none waits). */
    private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
    /**
     * Requests written here (each is submitted and sent at once), requests answered here (each is a
     * reply and a completion at once), and those handed back: one adder per pair, not per counter.
     */
    final LongAdder sent = new LongAdder(), completedOk = new LongAdder(), handedBack = new LongAdder();
    /** A caller got a real answer since the loop last looked: the loop resets the backoff and closes the breaker. */
    private volatile boolean answered;

    FastPath(HelperPoolEngine pool) {
        this.pool = pool;
    }

    // ---------------------------------------------------------------- loop side

    /** Loop thread, at the end of every outermost entry point: offers the idle helpers to callers, takes back the rest. */
    void publishAll() {
        if (answered) {
            answered = false;
            pool.backoff.onSuccess();
            pool.breaker.onSuccess();
        }
        boolean open = pool.started && pool.shutdownFuture == null && pool.queue.isEmpty() && !pool.breaker.isOpen()
                && !pool.admission.isClosed();
        for (PooledHelper h : pool.ordered) {
            if (h.direct == null) continue;
            if (!open || !serving(h)) h.direct.takeForLoop(true); // revoked; a caller holding it returns it through the loop
            else if (idle(h)) h.direct.publish();                // only from the loop's (then these fields are the loop's)
            else h.direct.takeForLoop(false);
        }
    }

    /** The loop-owned half of claimability, which holds for a claimed helper too (the loop writes these fields). */
    private boolean serving(PooledHelper h) {
        return h.state == HelperState.READY && h.generation == pool.generation && !h.lost && !h.killRequested
                && h.reservation == null;
    }

    /** Nothing of the loop's on the helper; read only to publish, which succeeds only while the loop owns it. */
    private static boolean idle(PooledHelper h) {
        return h.inFlight.isEmpty() && h.timedOutIds.isEmpty() && h.output.isEmpty() && !h.writeRequested && !h.flushQueued
                && h.framer.buffered() == 0;
    }

    // ---------------------------------------------------------------- caller side

    /**
     * Serves {@code text} (or {@code bytes}, sent as given) on a claimed helper. Null: no helper could
     * be claimed or the admission is full or closed, or the request is invalid; the caller takes the
     * loop path. Otherwise the reply, or the {@link HelperException} of the hand-back's outcome.
     */
    HelperReply request(String text, byte[] bytes) {
        HelperPoolConfig config = pool.config;
        String invalid = bytes != null ? RequestFraming.invalidRequest(bytes, config.kind(), config.endOfMessage())
                : RequestFraming.invalidRequest(text, config.kind(), config.endOfMessage());
        if (invalid != null) return null;
        long size = bytes != null ? bytes.length : text.length(); // as PendingRequest.size()
        if (!pool.admission.admitDirect(size, config)) return null;
        PooledHelper h = claimOrWait();
        if (h == null) {
            pool.admission.releaseDirect(size);
            return null;
        }
        return serve(h, config, text, bytes, size);
    }

    /**
     * A claimed helper, or null. When every helper is held by other fast-path callers (none by the
     * loop), the caller waits for one of them to release rather than take the slower loop path, as a
     * hand-rolled pool's caller waits for an idle helper: parked, woken by the next release
     * ({@link #waiters}), at most {@link #WAIT_NANOS} in all; then the loop path queues it.
     */
    private PooledHelper claimOrWait() {
        PooledHelper h = claim();
        if (h != null) return h;
        long until = System.nanoTime() + WAIT_NANOS;
        Thread me = Thread.currentThread();
        while (heldByCallersOnly() && System.nanoTime() < until) {
            waiters.add(me);
            h = claim(); // a release between the failed claim and the add woke nobody: look again
            if (h == null) LockSupport.parkNanos(this, PARK_NANOS);
            waiters.remove(me);
            if (h == null) h = claim();
            if (h != null) return h;
        }
        return null;
    }

    /** Whether every helper with a fast path is claimed by a caller (so one comes free without the loop). */
    private boolean heldByCallersOnly() {
        PooledHelper[] hs = pool.ordered;
        if (hs.length == 0) return false;
        for (PooledHelper h : hs) if (h.direct == null || !h.direct.isClaimed()) return false;
        return true;
    }

    private void wakeAWaiter() {
        Thread w = waiters.poll();
        if (w != null) LockSupport.unpark(w);
    }

    private PooledHelper claim() {
        PooledHelper[] hs = pool.ordered;
        int n = hs.length;
        if (n == 0) return null;
        int start = (next.getAndIncrement() & Integer.MAX_VALUE) % n;
        for (int i = 0; i < n; i++) {
            PooledHelper h = hs[(start + i) % n];
            if (h.direct != null && h.direct.claim()) return h;
        }
        return null;
    }

    private HelperReply serve(PooledHelper h, HelperPoolConfig config, String text, byte[] bytes, long size) {
        DirectChannel d = h.direct;
        long startNanos = pool.clock.nanoTime();
        long timeoutNanos = config.requestTimeout().toNanos();
        long deadline = timeoutNanos > 0 ? startNanos + timeoutNanos : Long.MAX_VALUE;
        long id = h.allocateId();
        h.requests++;
        sent.increment();
        if (bytes != null) h.output.appendRequest(h.tagged(), id, bytes);
        else h.output.appendRequest(h.tagged(), id, text);
        try {
            while (!h.output.isEmpty()) {
                if (h.output.writeTo(h.channel) == 0) return handBack(h, text, bytes, id, startNanos, null, 0);
            }
        } catch (IOException e) {
            return handBack(h, text, bytes, id, startNanos, null, 0); // the loop's write fails the same way and kills it
        }
        Scratch s = SCRATCHES.get();
        ByteBuffer in = s.in;
        in.clear();
        byte eom = config.endOfMessage();
        try {
            for (;;) {
                long now = pool.clock.nanoTime();
                if (now >= deadline || pool.admission.isClosed()) break;
                long waitMillis = Math.min(SLICE_MILLIS, (deadline - now + 999_999) / 1_000_000);
                if (d.awaitReadable((int) waitMillis) == 0) continue;
                int n = d.read(in);
                if (n < 0) break; // EOF: the loop sees it too once the descriptor is back, and fails the request
                if (n == 0) continue;
                int end = in.position();
                int lf = indexOf(in, eom, end - n, end);
                if (lf < 0) {
                    if (end > h.maxLine + 1 || !in.hasRemaining()) break; // the loop's framer decides
                    continue;
                }
                if (lf != end - 1) break; // more than one line
                HelperReply reply = parse(h, s, end, id, eom);
                if (reply == null) break;
                return completed(h, d, reply, size);
            }
        } catch (NativeIoException e) {
            // a read error: the loop's read fails the same way (end of file)
        }
        return handBack(h, text, bytes, id, startNanos, in, in.position());
    }

    private static int indexOf(ByteBuffer b, byte eom, int from, int to) {
        for (int i = from; i < to; i++) if (b.get(i) == eom) return i;
        return -1;
    }

    /** The reply in {@code in[0, end)} (one line, its end-of-message byte last), or null if the loop must judge it. */
    private static HelperReply parse(PooledHelper h, Scratch s, int end, long id, byte eom) {
        int len = end - 1;
        if (eom == '\n' && len > 0 && s.in.get(len - 1) == '\r') len--;
        if (len > h.maxLine) return null;
        byte[] b = s.line;
        s.in.get(0, b, 0, len);
        int start = 0;
        if (h.tagged()) {
            if (WireFormat.parseId(b, 0, len) != id) return null;
            start = WireFormat.afterId(b, 0, len);
        }
        HelperReply reply = s.reader.parse(b, start, len - start); // the loop's ReplyRouter reuses one too
        return reply.status() == HelperReply.Status.BH ? null : reply; // a BH retry is the loop's
    }

    private HelperReply completed(PooledHelper h, DirectChannel d, HelperReply reply, long size) {
        h.replies++;
        completedOk.increment();
        if (!answered) answered = true;
        if (d.release()) {
            wakeAWaiter();
        } else {
            try {
                pool.loop.execute(pool::onFastReturn); // the loop wanted it back: let it reconcile
            } catch (RejectedExecutionException e) {
                // closed: the loop's close has ended everything
            }
        }
        pool.admission.releaseDirect(size);
        return reply;
    }

    /**
     * Gives the claimed helper back to the loop with the request in flight on it and {@code in[0, read)}
     * as its output so far, then waits for the request's outcome.
     */
    private HelperReply handBack(PooledHelper h, String text, byte[] bytes, long id, long startNanos, ByteBuffer in, int read) {
        handedBack.increment();
        PendingRequest r = bytes != null ? new PendingRequest(0, bytes, new CompletableFuture<>(), null)
                : new PendingRequest(0, text, new CompletableFuture<>(), null);
        r.holdsAdmission = true; // taken by admitDirect, for r.size() bytes: released by the loop's finish
        r.wireId = id;
        r.submitNanos = startNanos;
        r.dispatchNanos = startNanos;
        byte[] got = new byte[read];
        if (read > 0) in.get(0, got, 0, read);
        try {
            pool.loop.execute(() -> pool.takeBack(h, r, got));
        } catch (RejectedExecutionException e) {
            h.direct.releaseOffLoop();
            pool.admission.release(r);
            pool.admission.close(HelperPoolAdmission.closedMessage(pool.config,
                    "its event loop no longer accepts commands (" + e.getMessage() + ")"));
            throw new HelperException.Closed(HelperPoolAdmission.closedMessage(pool.config,
                    "its event loop closed before the request was answered"));
        }
        return await(r.future);
    }

    /** The outcome of a loop-path future, as the blocking API gives it: the reply, or the HelperException thrown. */
    static HelperReply await(CompletableFuture<?> f) {
        try {
            return (HelperReply) f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof HelperException he) throw he;
            throw e;
        }
    }
}
