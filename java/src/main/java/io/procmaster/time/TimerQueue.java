package io.procmaster.time;

import io.procmaster.log.Logs;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * TimerQueue - one-shot timers on a {@link Clock}, owned and polled by one loop thread: the master
 * policy's timers (throttle, wakeups, drain and shutdown deadlines, log summaries) and a helper
 * pool's (a timeout per request, restart backoff, reservation expiry, shutdown deadline).
 *
 * <p>Interface: {@link #schedule(Duration, String, Runnable)} (from now) and
 * {@link #scheduleAt(long, String, Runnable)} (an absolute deadline) for the odd timer;
 * {@link #scheduleAfter(long, long, String, Runnable)} for delays that many timers share (its
 * {@code Consumer}-and-argument form spares a capturing lambda per timer on a hot path). Each
 * returns a {@link Timer}; {@link Timer#cancel()} is O(1) and guarantees it never runs. The loop
 * sizes its wait with {@link #nextDeadlineNanos()} (or {@link #nextDeadline()},
 * {@link #timeUntilNext()}) and calls
 * {@link #runDue()} after each wake-up. Names are for logs: pass a constant, not a string built per
 * call, on a hot path.
 *
 * <p>Order: due timers run by deadline, equal deadlines in scheduling order, so runs are
 * deterministic on a fake clock. A timer that a task arms while {@link #runDue()} is running runs in
 * the same pass only if its deadline is already behind the pass's reading (it was overdue when
 * armed, as a helper request's timeout counted from its submission can be); one due exactly now (a
 * zero delay) waits for the next pass, so a timer that re-arms itself with no delay cannot spin the
 * loop. Postfix runs expired timers before I/O callbacks in each round (docs/postfix-master.md §7.1).
 *
 * <p>Why two structures: every helper request arms a timeout and nearly every one is cancelled soon
 * after, by its reply. In a heap a cancelled timer stays until its deadline comes up, so a busy pool
 * would hold rate × timeout dead timers, and with them every finished request. Timers armed with
 * {@code scheduleAfter} share their delay with many others, so they fall due in the order they were
 * armed: they go into one FIFO lane per delay, O(1) to add, and cancelled ones at a lane's head are
 * dropped at every look. Only a timer whose deadline would come before its lane's last one (a
 * {@code from} that went back) goes into the heap instead. When more than half of what is held is
 * dead, all dead timers are swept at once. {@link #runDue()} merges the heap and the lanes.
 *
 * <p>Failure modes, the one exception policy: a task that throws a {@link RuntimeException} is
 * logged with the timer's name, counted ({@link #failures()}), and the other due timers still run:
 * a bug in one timer never stops the loop that polls the queue. Errors are not caught. Negative
 * delays are treated as zero. Not thread-safe: the loop thread owns it.
 */
public final class TimerQueue {

    private static final Logger log = Logs.logger(TimerQueue.class);
    private static final int SWEEP_MIN_DEAD = 64;

    /** One scheduled timer; cancel it to make sure it never runs. */
    public static final class Timer {
        private static final byte PENDING = 0, CANCELLED = 1, DONE = 2;

        private final TimerQueue owner;
        private final long deadline;
        private final long seq;
        private final String name;
        // A Runnable, or with argument set a Consumer of it; both null once cancelled or run: a dead
        // timer must not keep its work alive. The argument form spares a capturing lambda per timer.
        private Object task;
        private Object argument;
        private boolean withArgument;
        private byte state;

        private Timer(TimerQueue owner, long deadline, long seq, String name, Object task, Object argument, boolean withArgument) {
            this.owner = owner;
            this.deadline = deadline;
            this.seq = seq;
            this.name = name;
            this.task = task;
            this.argument = argument;
            this.withArgument = withArgument;
        }

        /** Cancels the timer; a no-op if it already ran or was cancelled. */
        public void cancel() {
            if (state == PENDING) {
                state = CANCELLED;
                task = null;
                argument = null;
                owner.onCancelled();
            }
        }

        /** True while the timer will still run. */
        public boolean isPending() {
            return state == PENDING;
        }

        /** The deadline on the queue's clock, in nanos. */
        public long deadlineNanos() {
            return deadline;
        }

        /** The name given at scheduling. */
        public String name() {
            return name;
        }

        private boolean before(Timer o) {
            return deadline != o.deadline ? deadline - o.deadline < 0 : seq < o.seq;
        }

        @Override
        public String toString() {
            return "Timer[" + name + " @" + deadline + (state == CANCELLED ? " cancelled" : state == DONE ? " done" : "")
                    + "]";
        }
    }

    private final Clock clock;
    private final PriorityQueue<Timer> heap = new PriorityQueue<>((a, b) -> a.before(b) ? -1 : b.before(a) ? 1 : 0);
    private final Map<Long, ArrayDeque<Timer>> lanes = new HashMap<>(); // by delay; usually one or two
    private long lastDelay;
    private ArrayDeque<Timer> lastLane; // the lane used last, kept even when empty: no lookup, no churn
    private long nextSeq;
    private int held; // timers in the heap and the lanes, cancelled ones included
    private int dead; // cancelled timers still held
    private long failures;

    public TimerQueue(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The clock these timers run on. */
    public Clock clock() {
        return clock;
    }

    /** Runs {@code task} once, {@code delay} from now (negative: now). */
    public Timer schedule(Duration delay, String name, Runnable task) {
        long nanos = delay.isNegative() ? 0L : delay.toNanos();
        return scheduleAt(clock.nanoTime() + nanos, name, task);
    }

    /** Runs {@code task} once at {@code deadlineNanos} on the clock. */
    public Timer scheduleAt(long deadlineNanos, String name, Runnable task) {
        Timer t = newTimer(deadlineNanos, name, task, null, false);
        heap.add(t);
        return t;
    }

    /**
     * Runs {@code task} once at {@code fromNanos + delayNanos}: for a delay that many timers share
     * (see the class comment); {@code fromNanos} is a clock reading, usually now.
     */
    public Timer scheduleAfter(long fromNanos, long delayNanos, String name, Runnable task) {
        return enqueueAfter(fromNanos, delayNanos, name, task, null, false);
    }

    /**
     * {@link #scheduleAfter(long, long, String, Runnable)} that calls {@code task.accept(argument)}:
     * one shared {@code task} for many timers (a helper request's timeout), no lambda per timer.
     */
    public <T> Timer scheduleAfter(long fromNanos, long delayNanos, String name, Consumer<? super T> task, T argument) {
        return enqueueAfter(fromNanos, delayNanos, name, task, argument, true);
    }

    /**
     * Makes the timer of either scheduleAfter and puts it into its delay's lane, or into the heap if
     * it would fall due before the lane's last.
     */
    private Timer enqueueAfter(long fromNanos, long delayNanos, String name, Object task, Object argument, boolean withArgument) {
        long delay = Math.max(0L, delayNanos);
        Timer t = newTimer(fromNanos + delay, name, task, argument, withArgument);
        ArrayDeque<Timer> lane = lastLane;
        if (lane == null || delay != lastDelay) {
            lane = lanes.computeIfAbsent(delay, d -> new ArrayDeque<>());
            lastDelay = delay;
            lastLane = lane;
        }
        Timer last = lane.peekLast();
        if (last != null && t.deadline - last.deadline < 0) {
            heap.add(t); // out of order: a FIFO would run it late
        } else {
            lane.addLast(t);
        }
        return t;
    }

    /** Earliest deadline of a pending timer, in clock nanos, or empty if none is pending. */
    public OptionalLong nextDeadline() {
        Timer t = earliest();
        return t == null ? OptionalLong.empty() : OptionalLong.of(t.deadline);
    }

    /**
     * {@link #nextDeadline()} as a plain {@code long}, {@link Long#MAX_VALUE} if none is pending (the
     * loop's "no deadline"): for a loop that asks at every wake-up. It allocates nothing, also where
     * no escape analysis removes the {@code OptionalLong} (C1, the interpreter; issue 11,
     * BENCHMARKS.md §5).
     */
    public long nextDeadlineNanos() {
        Timer t = earliest();
        return t == null ? Long.MAX_VALUE : t.deadline;
    }

    /** Time until the earliest pending timer (zero if already due), or null if none is pending. */
    public Duration timeUntilNext() {
        OptionalLong d = nextDeadline();
        if (d.isEmpty()) {
            return null;
        }
        return Duration.ofNanos(Math.max(0L, d.getAsLong() - clock.nanoTime()));
    }

    /** Runs every timer that is due now (see the class comment for timers armed meanwhile); returns how many ran. */
    public int runDue() {
        long now = clock.nanoTime();
        long armedBefore = nextSeq; // timers with a seq from here on were armed by this pass's tasks
        int ran = 0;
        while (true) {
            Timer t = earliest();
            if (t == null) {
                return ran;
            }
            long late = now - t.deadline;
            if (late < 0 || (late == 0 && t.seq >= armedBefore)) {
                return ran;
            }
            remove(t);
            held--;
            Object task = t.task;
            Object argument = t.argument;
            t.task = null;
            t.argument = null;
            t.state = Timer.DONE;
            ran++;
            try {
                if (t.withArgument) {
                    @SuppressWarnings("unchecked")
                    Consumer<Object> consumer = (Consumer<Object>) task;
                    consumer.accept(argument);
                } else {
                    ((Runnable) task).run();
                }
            } catch (RuntimeException e) {
                failures++;
                log.error("timer {} failed; continuing", t.name, e);
            }
        }
    }

    /** Number of pending timers (for tests and the status command). */
    public int pendingCount() {
        return held - dead;
    }

    /** Timers held, cancelled ones not yet dropped included (for tests: dead timers do not pile up). */
    public int size() {
        return held;
    }

    /** How many timer tasks threw. */
    public long failures() {
        return failures;
    }

    private Timer newTimer(long deadline, String name, Object task, Object argument, boolean withArgument) {
        Timer t = new Timer(this, deadline, nextSeq++, name, Objects.requireNonNull(task, "task"), argument, withArgument);
        held++;
        return t;
    }

    /**
     * A lane drops cancelled timers only at its head, so one slow request at the head would keep
     * every later, already answered one. When more than half of what is held is dead, drop all
     * dead timers at once: linear, but paid for by the cancels since the last sweep.
     */
    private void onCancelled() {
        dead++;
        if (dead > SWEEP_MIN_DEAD && dead * 2 > held) {
            heap.removeIf(x -> x.state == Timer.CANCELLED);
            for (ArrayDeque<Timer> lane : lanes.values()) {
                lane.removeIf(x -> x.state == Timer.CANCELLED);
            }
            held -= dead;
            dead = 0;
        }
    }

    /** The next live timer, after dropping cancelled ones from every head; null if there is none. */
    private Timer earliest() {
        while (!heap.isEmpty() && heap.peek().state == Timer.CANCELLED) {
            heap.poll();
            dropDead();
        }
        Timer best = heap.peek();
        if (lanes.isEmpty()) {
            return best; // no iterator on the loop's every wake-up
        }
        if (lanes.size() == 1 && lastLane != null) {
            // The usual case, one shared delay: the one lane is the last used (never removed
            // below), so no iterator either.
            return earlier(best, liveHead(lastLane));
        }
        for (Iterator<ArrayDeque<Timer>> it = lanes.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Timer> lane = it.next();
            Timer head = liveHead(lane);
            if (head == null) {
                if (lane != lastLane) {
                    it.remove(); // a reconfigured delay's lane does not linger
                }
                continue;
            }
            best = earlier(best, head);
        }
        return best;
    }

    /** The lane's first live timer after dropping the cancelled ones before it; null if none. */
    private Timer liveHead(ArrayDeque<Timer> lane) {
        while (!lane.isEmpty() && lane.peekFirst().state == Timer.CANCELLED) {
            lane.pollFirst();
            dropDead();
        }
        return lane.peekFirst();
    }

    private static Timer earlier(Timer best, Timer other) {
        return other != null && (best == null || other.before(best)) ? other : best;
    }

    private void dropDead() {
        held--;
        dead--;
    }

    private void remove(Timer t) {
        if (heap.peek() == t) {
            heap.poll();
            return;
        }
        for (ArrayDeque<Timer> lane : lanes.values()) {
            if (lane.peekFirst() == t) {
                lane.pollFirst();
                return;
            }
        }
        throw new IllegalStateException("timer not at a head"); // earliest() only returns heads
    }
}
