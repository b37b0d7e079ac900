package io.procmaster.time;

import java.util.ArrayDeque;

/**
 * SlidingWindow - how many events happened in the last {@code window} nanos, with bounded memory:
 * the master's spawn-rate window (wasted starts of one service, docs/postfix-master.md §10 W11)
 * and a helper pool's crash-loop breaker (helper deaths, docs/helpers.md).
 *
 * <p>Interface: {@link #record(long)} notes an event at a clock reading; {@link #count(long)} is the
 * number of events younger than the window at that reading (an event exactly {@code window} old has
 * left it); {@link #held()} is the number kept since the last record or count, without expiring;
 * {@link #clear()} forgets them all; {@link #configure(int, long)} changes both bounds (a reload),
 * keeping the newest events that still fit. Only the newest {@code capacity} events are kept, so a
 * count never exceeds the capacity: a user asking "at least K events in the window?" gives capacity K.
 *
 * <p>Readings are compared as differences ({@code now - t}), so a wrapping clock origin does no harm.
 * Failure modes: a negative capacity or window is refused with {@link IllegalArgumentException};
 * a capacity of 0 keeps nothing (every count is 0). Not thread-safe: one loop thread owns it.
 */
public final class SlidingWindow {

    private final ArrayDeque<Long> times = new ArrayDeque<>();
    private int capacity;
    private long windowNanos;

    public SlidingWindow(int capacity, long windowNanos) {
        configure(capacity, windowNanos);
    }

    /** New bounds; the oldest events beyond the new capacity are dropped. */
    public void configure(int capacity, long windowNanos) {
        if (capacity < 0 || windowNanos < 0) {
            throw new IllegalArgumentException("capacity and window must not be negative: " + capacity + ", "
                    + windowNanos);
        }
        this.capacity = capacity;
        this.windowNanos = windowNanos;
        trim();
    }

    /** Notes one event at {@code now}. */
    public void record(long now) {
        if (capacity == 0) {
            return;
        }
        expire(now);
        times.addLast(now);
        trim();
    }

    /** Events younger than the window at {@code now} (at most the capacity). */
    public int count(long now) {
        expire(now);
        return times.size();
    }

    /** Events kept as of the last {@link #record} or {@link #count}, not expired again. */
    public int held() {
        return times.size();
    }

    /** Forgets every event. */
    public void clear() {
        times.clear();
    }

    private void expire(long now) {
        while (!times.isEmpty() && now - times.peekFirst() >= windowNanos) {
            times.pollFirst();
        }
    }

    private void trim() {
        while (times.size() > capacity) {
            times.pollFirst();
        }
    }
}
