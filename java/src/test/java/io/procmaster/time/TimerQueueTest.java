package io.procmaster.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one timer queue: the policy's cases (few timers, scheduled from now) and the helper pool's
 * (a FIFO lane per shared delay, one timeout per request, cancelled on reply), on a FakeClock.
 */
class TimerQueueTest {

    private final FakeClock clock = new FakeClock();
    private final TimerQueue timers = new TimerQueue(clock);
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
        TimerQueue.Timer h = timers.schedule(Duration.ofMillis(5), "x", () -> ran.add("x"));
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
        TimerQueue.Timer[] second = new TimerQueue.Timer[1];
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
        TimerQueue t = new TimerQueue(c);
        t.schedule(Duration.ofNanos(10), "wrap", () -> ran.add("wrap"));
        c.advance(Duration.ofNanos(9));
        assertThat(t.runDue()).isZero();
        c.advance(Duration.ofNanos(1));
        assertThat(t.runDue()).isEqualTo(1);
    }

    // ---- the helper pool's case: lanes per shared delay, absolute deadlines, explicit readings ----

    private Runnable log(String name) {
        return () -> ran.add(name);
    }

    /** Moves the clock forward to {@code t} (never back) and runs what is due. */
    private void runDueAt(long t) {
        clock.advance(Duration.ofNanos(t - clock.nanoTime()));
        timers.runDue();
    }

    @Test
    void timersRunInDeadlineOrderAndEqualDeadlinesInSchedulingOrder() {
        timers.scheduleAfter(0, 100, "lane", log("lane 100 @100"));
        timers.scheduleAt(100, "heap", log("heap @100"));
        timers.scheduleAfter(10, 100, "lane", log("lane 100 @110"));
        timers.scheduleAfter(0, 50, "lane", log("lane 50 @50"));
        timers.scheduleAt(105, "heap", log("heap @105"));
        timers.scheduleAfter(20, 100, "lane", log("lane 100 @120"));

        runDueAt(99);
        assertThat(ran).containsExactly("lane 50 @50");
        runDueAt(1_000);
        assertThat(ran).containsExactly("lane 50 @50", "lane 100 @100", "heap @100", "heap @105", "lane 100 @110",
                "lane 100 @120");
        assertThat(timers.nextDeadline()).isEmpty();
    }

    @Test
    void argumentTimersShareALaneWithRunnablesAndRunInOrderWithTheirArgument() {
        java.util.function.Consumer<String> task = ran::add; // one task for many timers
        timers.scheduleAfter(0, 100, "lane", task, "arg @100");
        timers.scheduleAfter(5, 100, "lane", log("runnable @105"));
        TimerQueue.Timer cancelled = timers.scheduleAfter(7, 100, "lane", task, "cancelled @107");
        timers.scheduleAfter(10, 100, "lane", task, "arg @110");
        timers.scheduleAt(50, "heap", () -> timers.scheduleAfter(0, 20, "late", task, "overdue @20"));
        cancelled.cancel();

        runDueAt(50);
        assertThat(ran).containsExactly("overdue @20"); // armed overdue by a task: runs in the same pass
        runDueAt(1_000);
        assertThat(ran).containsExactly("overdue @20", "arg @100", "runnable @105", "arg @110");
        assertThat(cancelled.isPending()).isFalse();
        assertThat(timers.size()).isZero();
    }

    @Test
    void cancelledTimersOfALaneDoNotPileUp() {
        for (int i = 0; i < 100_000; i++) {
            TimerQueue.Timer t = timers.scheduleAfter(i, 30_000, "lane", log("never"));
            t.cancel();
            timers.nextDeadline(); // the loop looks before every wait
        }
        assertThat(timers.size()).isLessThanOrEqualTo(1);
        runDueAt(Long.MAX_VALUE / 2);
        assertThat(ran).isEmpty();
    }

    @Test
    void cancelledTimersBehindALiveHeadDoNotPileUpEither() {
        // One slow request at the head of the lane, then many answered at once (out of order):
        // head-only dropping would keep all of them, and with them their requests.
        timers.scheduleAfter(0, 30_000, "lane", log("slow"));
        for (int i = 1; i <= 100_000; i++) {
            timers.scheduleAfter(i, 30_000, "lane", log("never")).cancel();
        }
        assertThat(timers.size()).as("timers held").isLessThanOrEqualTo(2 * 64 + 1);
        runDueAt(Long.MAX_VALUE / 2);
        assertThat(ran).containsExactly("slow");
        assertThat(timers.size()).isZero();
    }

    @Test
    void aTimerOutOfItsLanesOrderStillRunsOnTime() {
        timers.scheduleAfter(1_000, 100, "lane", log("@1100"));
        timers.scheduleAfter(500, 100, "lane", log("@600")); // the clock stepped back: would wait behind @1100 in a FIFO
        assertThat(timers.nextDeadline()).hasValue(600);
        runDueAt(600);
        assertThat(ran).containsExactly("@600");
        runDueAt(1_100);
        assertThat(ran).containsExactly("@600", "@1100");
    }

    @Test
    void aTimerScheduledByAnActionThatIsAlreadyDueRunsInTheSamePass() {
        timers.scheduleAfter(0, 10, "lane", () -> {
            ran.add("first");
            timers.scheduleAfter(5, 10, "lane", log("second"));
        });
        runDueAt(20);
        assertThat(ran).containsExactly("first", "second");
    }

    @Test
    void aCancelledTimerNeverRuns() {
        TimerQueue.Timer a = timers.scheduleAfter(0, 10, "lane", log("a"));
        timers.scheduleAfter(1, 10, "lane", log("b"));
        TimerQueue.Timer c = timers.scheduleAt(5, "heap", log("c"));
        a.cancel();
        c.cancel();
        runDueAt(100);
        assertThat(ran).containsExactly("b");
    }

    @Test
    void aThrowingLaneTimerIsCountedAndTheRestOfThePassStillRuns() {
        // The one exception policy on the helper's path too (its old queue let the exception out
        // and skipped the rest of the pass).
        timers.scheduleAfter(0, 10, "request timeout", () -> { throw new IllegalStateException("boom"); });
        timers.scheduleAfter(1, 10, "request timeout", log("next"));
        timers.scheduleAt(11, "restart", log("heap"));
        runDueAt(11);
        assertThat(timers.failures()).isEqualTo(1);
        assertThat(ran).containsExactly("next", "heap");
    }

    @Test
    void aTimerArmedDuringAPassForExactlyNowWaitsForTheNextPass() {
        timers.scheduleAt(10, "first", () -> {
            ran.add("first");
            timers.scheduleAt(clock.nanoTime(), "now", log("now"));
        });
        runDueAt(10);
        assertThat(ran).containsExactly("first");
        assertThat(timers.nextDeadline()).hasValue(10);
        timers.runDue();
        assertThat(ran).containsExactly("first", "now");
    }

    @Test
    void pendingCountCountsLanesAndHeapButNotCancelledTimers() {
        TimerQueue.Timer a = timers.scheduleAfter(0, 10, "lane", log("a"));
        timers.scheduleAfter(0, 20, "lane", log("b"));
        timers.scheduleAt(5, "heap", log("c"));
        assertThat(timers.pendingCount()).isEqualTo(3);
        a.cancel();
        assertThat(a.isPending()).isFalse();
        assertThat(timers.pendingCount()).isEqualTo(2);
        runDueAt(5);
        assertThat(timers.pendingCount()).isEqualTo(1);
    }

    @Test
    void nextDeadlineNanosAgreesWithNextDeadlineAcrossHeapAndLanes() {
        java.util.Random random = new java.util.Random(11);
        List<TimerQueue.Timer> armed = new ArrayList<>();
        assertThat(timers.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
        for (int step = 0; step < 5000; step++) {
            switch (random.nextInt(5)) {
                case 0 -> armed.add(timers.schedule(Duration.ofMillis(random.nextInt(50)), "heap", () -> ran.add("h")));
                // One lane most of the time (the path without an iterator), now and then a second.
                case 1 -> armed.add(timers.scheduleAfter(clock.nanoTime(), random.nextInt(10) == 0 ? 7_000_000 : 3_000_000,
                        "lane", () -> ran.add("l")));
                case 2 -> {
                    if (!armed.isEmpty()) {
                        armed.remove(random.nextInt(armed.size())).cancel();
                    }
                }
                case 3 -> clock.advanceMillis(random.nextInt(4));
                default -> timers.runDue();
            }
            long expected = timers.nextDeadline().orElse(Long.MAX_VALUE);
            assertThat(timers.nextDeadlineNanos()).isEqualTo(expected);
        }
        clock.advanceMillis(100);
        timers.runDue();
        assertThat(timers.nextDeadlineNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(timers.nextDeadline()).isEmpty();
    }
}
