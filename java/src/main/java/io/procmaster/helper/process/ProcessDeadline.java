package io.procmaster.helper.process;

import io.procmaster.os.EventLoop;
import io.procmaster.time.Clock;
import java.time.Duration;

/**
 * A helper process's one pending deadline (the handshake, or the next step of the close escalation),
 * run by the {@link EventLoop} it is registered with as a deadline source.
 *
 * <p>Interface: {@link #arm} replaces the pending deadline, {@link #disarm} drops it; loop thread only.
 * Failure modes: none of its own; the action runs on the loop thread and its exceptions are the loop's.
 * The deadline is on the clock it is given, which must be the event loop's ({@link EventLoop#clock()}).
 */
final class ProcessDeadline implements EventLoop.DeadlineSource {
    private final Clock clock;
    private long due = Long.MAX_VALUE;
    private Runnable action;

    ProcessDeadline(Clock clock) {
        this.clock = clock;
    }

    void arm(Duration after, Runnable what) {
        due = clock.nanoTime() + after.toNanos();
        action = what;
    }

    void disarm() {
        due = Long.MAX_VALUE;
        action = null;
    }

    @Override
    public long nextDeadlineNanos() {
        return due;
    }

    @Override
    public void onDeadline() {
        Runnable a = action;
        disarm();
        if (a != null) a.run();
    }
}
