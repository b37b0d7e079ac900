package io.procmaster.helper;

import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * Deadlines of one pool (request timeouts, restart backoff, reservation expiry, shutdown deadline),
 * driven by the loop through {@link HelperPool#onTick()}.
 *
 * <p>Interface: {@link #schedule} returns a handle; {@link Timer#cancel()} is O(1) (lazy removal).
 * Timers with equal deadlines run in scheduling order, so tests are deterministic.
 *
 * <p>Failure modes: none; an action that throws propagates to the caller of {@link #runDue}.
 */
final class TimerQueue {
    static final class Timer {
        final long deadline;
        final long seq;
        final Runnable action;
        boolean cancelled;

        Timer(long deadline, long seq, Runnable action) {
            this.deadline = deadline;
            this.seq = seq;
            this.action = action;
        }

        void cancel() {
            cancelled = true;
        }
    }

    private final PriorityQueue<Timer> queue = new PriorityQueue<>((a, b) ->
            a.deadline != b.deadline ? Long.compare(a.deadline - b.deadline, 0) : Long.compare(a.seq, b.seq));
    private long seq;

    Timer schedule(long deadline, Runnable action) {
        Timer t = new Timer(deadline, seq++, action);
        queue.add(t);
        return t;
    }

    /** Runs every timer whose deadline is at or before {@code now}, including ones scheduled meanwhile. */
    void runDue(long now) {
        while (true) {
            Timer t = queue.peek();
            if (t == null || t.deadline - now > 0) return;
            queue.poll();
            if (!t.cancelled) {
                t.cancelled = true;
                t.action.run();
            }
        }
    }

    OptionalLong nextDeadline() {
        while (!queue.isEmpty() && queue.peek().cancelled) queue.poll();
        return queue.isEmpty() ? OptionalLong.empty() : OptionalLong.of(queue.peek().deadline);
    }
}
