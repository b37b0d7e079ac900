package io.procmaster.helper.pool;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * Deadlines of one pool (request timeouts, restart backoff, reservation expiry, shutdown deadline),
 * driven by the loop through {@code HelperPool.onTick()}.
 *
 * <p>Interface: {@link #schedule} and {@link #scheduleAfter} return a handle; {@link Timer#cancel()}
 * is O(1). Timers run in deadline order, those with equal deadlines in scheduling order, so tests are
 * deterministic.
 *
 * <p>Why two structures: every request arms a timeout and nearly every one is cancelled soon after,
 * by its reply. In a heap a cancelled timer stays until its deadline comes up, so a busy pool would
 * hold rate × timeout dead timers, and with them every finished request. Timers armed with
 * {@link #scheduleAfter} share their delay with many others (the pool's request timeout, its
 * reservation timeout), so they fall due in the order they were scheduled: they go into one FIFO per
 * delay, O(1) to add, and cancelled ones at its head are dropped at every look at the queue. Only
 * a timer whose deadline would come before its lane's last one (a clock that stepped back) goes into
 * the heap instead. {@link #runDue} merges the heap and the lanes by (deadline, scheduling order).
 *
 * <p>Failure modes: none; an action that throws propagates to the caller of {@link #runDue}.
 */
final class TimerQueue {
    static final class Timer {
        final long deadline;
        final long seq;
        private final TimerQueue owner;
        Runnable action; // null once cancelled: a dead timer must not keep its request alive
        boolean cancelled;

        Timer(TimerQueue owner, long deadline, long seq, Runnable action) {
            this.owner = owner;
            this.deadline = deadline;
            this.seq = seq;
            this.action = action;
        }

        void cancel() {
            if (!cancelled) {
                cancelled = true;
                action = null;
                owner.onCancelled();
            }
        }

        boolean before(Timer o) {
            return deadline != o.deadline ? deadline - o.deadline < 0 : seq < o.seq;
        }
    }

    private final PriorityQueue<Timer> heap = new PriorityQueue<>((a, b) -> a.before(b) ? -1 : b.before(a) ? 1 : 0);
    private final Map<Long, ArrayDeque<Timer>> lanes = new HashMap<>(); // by delay; usually one or two
    private long lastDelay;
    private ArrayDeque<Timer> lastLane; // the lane used last, kept even when empty: no lookup, no churn
    private long seq;
    private int held; // timers in the heap and the lanes, cancelled ones included
    private int dead; // cancelled timers still held

    /** Runs {@code action} at {@code deadline} (on the pool's clock). */
    Timer schedule(long deadline, Runnable action) {
        Timer t = new Timer(this, deadline, seq++, action);
        held++;
        heap.add(t);
        return t;
    }

    /** Runs {@code action} at {@code now + delay}: for delays many timers share (see the class comment). */
    Timer scheduleAfter(long now, long delay, Runnable action) {
        Timer t = new Timer(this, now + delay, seq++, action);
        held++;
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

    /** Runs every timer whose deadline is at or before {@code now}, including ones scheduled meanwhile. */
    void runDue(long now) {
        while (true) {
            Timer t = earliest();
            if (t == null || t.deadline - now > 0) return;
            remove(t);
            held--;
            Runnable action = t.action;
            t.cancelled = true;
            t.action = null;
            action.run();
        }
    }

    OptionalLong nextDeadline() {
        Timer t = earliest();
        return t == null ? OptionalLong.empty() : OptionalLong.of(t.deadline);
    }

    /** Timers held, cancelled ones not yet dropped included (for tests: dead timers do not pile up). */
    int size() {
        return held;
    }

    /**
     * A lane drops cancelled timers only at its head, so one slow request at the head would keep
     * every later, already answered one. When more than half of what is held is dead, drop all
     * dead timers at once: linear, but paid for by the cancels since the last sweep.
     */
    private void onCancelled() {
        dead++;
        if (dead > 64 && dead * 2 > held) {
            heap.removeIf(x -> x.cancelled);
            for (ArrayDeque<Timer> lane : lanes.values()) lane.removeIf(x -> x.cancelled);
            held -= dead;
            dead = 0;
        }
    }

    /** The next live timer, after dropping cancelled ones from every head; null if there is none. */
    private Timer earliest() {
        while (!heap.isEmpty() && heap.peek().cancelled) { heap.poll(); dropDead(); }
        Timer best = heap.peek();
        for (Iterator<ArrayDeque<Timer>> it = lanes.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Timer> lane = it.next();
            while (!lane.isEmpty() && lane.peekFirst().cancelled) { lane.pollFirst(); dropDead(); }
            if (lane.isEmpty()) {
                if (lane != lastLane) it.remove(); // a reconfigured delay's lane does not linger
                continue;
            }
            Timer head = lane.peekFirst();
            if (best == null || head.before(best)) best = head;
        }
        return best;
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
