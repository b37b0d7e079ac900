package io.procmaster.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Timers - one-shot timers on a {@link Clock}, polled by the single loop thread.
 *
 * <p>Interface: {@link #schedule(Duration, String, Runnable)} returns a {@link Handle} that can be
 * cancelled; the loop asks {@link #nextDeadline()} (or {@link #timeUntilNext()}) to size its epoll
 * wait and calls {@link #runDue()} after each wake-up. Periodic timers re-schedule themselves.
 *
 * <p>Order: due timers run by deadline, equal deadlines in scheduling order, so runs are
 * deterministic. A timer scheduled while {@link #runDue()} is running is not run in that same call
 * even if already due; that keeps a zero-delay timer from spinning the loop forever. Postfix runs
 * expired timers before I/O callbacks in each round (docs/postfix-master.md §7.1); the loop should do the same.
 *
 * <p>Failure modes: a task that throws is logged and counted ({@link #failures()}) and the other
 * due timers still run: a policy bug must not kill the loop. Negative delays are treated as zero.
 * Not thread-safe: the loop thread owns it.
 */
public final class Timers {

    private static final Logger log = LoggerFactory.getLogger(Timers.class);

    /** A scheduled timer; cancel it to make sure it never runs. */
    public static final class Handle {
        private final long deadline;
        private final long seq;
        private final String what;
        private final Runnable task;
        private boolean cancelled;
        private boolean done;

        private Handle(long deadline, long seq, String what, Runnable task) {
            this.deadline = deadline;
            this.seq = seq;
            this.what = what;
            this.task = task;
        }

        /** Cancels the timer; a no-op if it already ran or was cancelled. */
        public void cancel() {
            cancelled = true;
        }

        /** True while the timer will still run. */
        public boolean isPending() {
            return !cancelled && !done;
        }

        /** The deadline on the clock, in nanos. */
        public long deadlineNanos() {
            return deadline;
        }

        @Override
        public String toString() {
            return "Timer[" + what + " @" + deadline + (cancelled ? " cancelled" : done ? " done" : "") + "]";
        }
    }

    private final Clock clock;
    private final PriorityQueue<Handle> queue = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(a.deadline - b.deadline, 0L);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    });
    private long nextSeq;
    private long failures;

    public Timers(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The clock these timers run on. */
    public Clock clock() {
        return clock;
    }

    /**
     * Schedules {@code task} to run once, {@code delay} from now.
     *
     * @param what a short label for logs and {@link Handle#toString()}
     */
    public Handle schedule(Duration delay, String what, Runnable task) {
        long nanos = delay.isNegative() ? 0L : delay.toNanos();
        Handle h = new Handle(clock.nanoTime() + nanos, nextSeq++, what, Objects.requireNonNull(task));
        queue.add(h);
        return h;
    }

    /** Earliest deadline of a pending timer, in clock nanos, or empty if none is pending. */
    public OptionalLong nextDeadline() {
        purgeCancelledHead();
        Handle h = queue.peek();
        return h == null ? OptionalLong.empty() : OptionalLong.of(h.deadline);
    }

    /** Time until the earliest pending timer (zero if already due), or null if none is pending. */
    public Duration timeUntilNext() {
        OptionalLong d = nextDeadline();
        if (d.isEmpty()) {
            return null;
        }
        long left = d.getAsLong() - clock.nanoTime();
        return Duration.ofNanos(Math.max(0L, left));
    }

    /** Runs every timer that is due now; returns how many ran. */
    public int runDue() {
        long now = clock.nanoTime();
        // Take the due ones out first: a timer scheduled by a task waits for the next call even
        // if already due (no spinning), and a task may still cancel a later one of this batch.
        List<Handle> due = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().deadline - now <= 0) {
            Handle h = queue.poll();
            if (h.isPending()) {
                due.add(h);
            }
        }
        int ran = 0;
        for (Handle h : due) {
            ran += runOne(h);
        }
        return ran;
    }

    /** Number of pending timers (for tests and the status command). */
    public int pendingCount() {
        int n = 0;
        for (Handle h : queue) {
            if (h.isPending()) {
                n++;
            }
        }
        return n;
    }

    /** How many timer tasks threw. */
    public long failures() {
        return failures;
    }

    private int runOne(Handle h) {
        if (!h.isPending()) {
            return 0;
        }
        h.done = true;
        try {
            h.task.run();
        } catch (RuntimeException e) {
            failures++;
            log.error("timer {} failed; continuing", h.what, e);
        }
        return 1;
    }

    private void purgeCancelledHead() {
        while (!queue.isEmpty() && !queue.peek().isPending()) {
            queue.poll();
        }
    }
}
