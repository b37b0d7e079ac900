package io.procmaster.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimersTest {

    private final FakeClock clock = new FakeClock();
    private final Timers timers = new Timers(clock);
    private final List<String> ran = new ArrayList<>();

    @Test
    void nothingPending_hasNoDeadline() {
        assertThat(timers.nextDeadline()).isEmpty();
        assertThat(timers.timeUntilNext()).isNull();
        assertThat(timers.runDue()).isZero();
    }

    @Test
    void dueTimersRunInDeadlineOrderThenSchedulingOrder() {
        timers.schedule(Duration.ofMillis(20), "b", () -> ran.add("b"));
        timers.schedule(Duration.ofMillis(10), "a", () -> ran.add("a"));
        timers.schedule(Duration.ofMillis(20), "c", () -> ran.add("c"));
        assertThat(timers.timeUntilNext()).isEqualTo(Duration.ofMillis(10));
        clock.advanceMillis(9);
        assertThat(timers.runDue()).isZero();
        clock.advanceMillis(11);
        assertThat(timers.runDue()).isEqualTo(3);
        assertThat(ran).containsExactly("a", "b", "c");
    }

    @Test
    void cancelledTimerNeverRuns() {
        Timers.Handle h = timers.schedule(Duration.ofMillis(5), "x", () -> ran.add("x"));
        h.cancel();
        clock.advanceMillis(10);
        assertThat(timers.runDue()).isZero();
        assertThat(ran).isEmpty();
        assertThat(timers.nextDeadline()).isEmpty();
    }

    @Test
    void timerScheduledByATaskWaitsForTheNextRun_soZeroDelayCannotSpin() {
        timers.schedule(Duration.ZERO, "self", new Runnable() {
            @Override
            public void run() {
                ran.add("tick");
                timers.schedule(Duration.ZERO, "self", this);
            }
        });
        assertThat(timers.runDue()).isEqualTo(1);
        assertThat(timers.runDue()).isEqualTo(1);
        assertThat(ran).hasSize(2);
    }

    @Test
    void aTaskMayCancelALaterDueTimerOfTheSameBatch() {
        Timers.Handle[] second = new Timers.Handle[1];
        timers.schedule(Duration.ofMillis(1), "first", () -> second[0].cancel());
        second[0] = timers.schedule(Duration.ofMillis(2), "second", () -> ran.add("second"));
        clock.advanceMillis(5);
        assertThat(timers.runDue()).isEqualTo(1);
        assertThat(ran).isEmpty();
    }

    @Test
    void throwingTaskIsCountedAndOthersStillRun() {
        timers.schedule(Duration.ZERO, "boom", () -> { throw new IllegalStateException("boom"); });
        timers.schedule(Duration.ZERO, "ok", () -> ran.add("ok"));
        assertThat(timers.runDue()).isEqualTo(2);
        assertThat(timers.failures()).isEqualTo(1);
        assertThat(ran).containsExactly("ok");
    }

    @Test
    void negativeDelayIsTreatedAsZero() {
        timers.schedule(Duration.ofMillis(-5), "neg", () -> ran.add("neg"));
        assertThat(timers.timeUntilNext()).isEqualTo(Duration.ZERO);
        timers.runDue();
        assertThat(ran).containsExactly("neg");
    }

    @Test
    void worksAcrossANegativeClockOrigin() {
        FakeClock c = new FakeClock(Long.MAX_VALUE - 5);
        Timers t = new Timers(c);
        t.schedule(Duration.ofNanos(10), "wrap", () -> ran.add("wrap"));
        c.advance(Duration.ofNanos(9));
        assertThat(t.runDue()).isZero();
        c.advance(Duration.ofNanos(1));
        assertThat(t.runDue()).isEqualTo(1);
    }
}
