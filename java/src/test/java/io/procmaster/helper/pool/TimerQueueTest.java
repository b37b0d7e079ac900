package io.procmaster.helper.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerQueueTest {
    private final TimerQueue timers = new TimerQueue();
    private final List<String> ran = new ArrayList<>();

    private Runnable log(String name) {
        return () -> ran.add(name);
    }

    @Test
    void timersRunInDeadlineOrderAndEqualDeadlinesInSchedulingOrder() {
        timers.scheduleAfter(0, 100, log("lane 100 @100"));
        timers.schedule(100, log("heap @100"));
        timers.scheduleAfter(10, 100, log("lane 100 @110"));
        timers.scheduleAfter(0, 50, log("lane 50 @50"));
        timers.schedule(105, log("heap @105"));
        timers.scheduleAfter(20, 100, log("lane 100 @120"));

        timers.runDue(99);
        assertThat(ran).containsExactly("lane 50 @50");
        timers.runDue(1_000);
        assertThat(ran).containsExactly("lane 50 @50", "lane 100 @100", "heap @100", "heap @105", "lane 100 @110",
                "lane 100 @120");
        assertThat(timers.nextDeadline()).isEmpty();
    }

    @Test
    void cancelledTimersOfALaneDoNotPileUp() {
        for (int i = 0; i < 100_000; i++) {
            TimerQueue.Timer t = timers.scheduleAfter(i, 30_000, log("never"));
            t.cancel();
            timers.nextDeadline(); // the loop looks before every wait
        }
        assertThat(timers.size()).isLessThanOrEqualTo(1);
        timers.runDue(Long.MAX_VALUE / 2);
        assertThat(ran).isEmpty();
    }

    @Test
    void cancelledTimersBehindALiveHeadDoNotPileUpEither() {
        // One slow request at the head of the lane, then many answered at once (out of order):
        // head-only dropping would keep all of them, and with them their requests.
        timers.scheduleAfter(0, 30_000, log("slow"));
        for (int i = 1; i <= 100_000; i++) {
            timers.scheduleAfter(i, 30_000, log("never")).cancel();
        }
        assertThat(timers.size()).as("timers held").isLessThanOrEqualTo(2 * 64 + 1);
        timers.runDue(Long.MAX_VALUE / 2);
        assertThat(ran).containsExactly("slow");
        assertThat(timers.size()).isZero();
    }

    @Test
    void aTimerOutOfItsLanesOrderStillRunsOnTime() {
        timers.scheduleAfter(1_000, 100, log("@1100"));
        timers.scheduleAfter(500, 100, log("@600")); // the clock stepped back: would wait behind @1100 in a FIFO
        assertThat(timers.nextDeadline()).hasValue(600);
        timers.runDue(600);
        assertThat(ran).containsExactly("@600");
        timers.runDue(1_100);
        assertThat(ran).containsExactly("@600", "@1100");
    }

    @Test
    void aTimerScheduledByAnActionThatIsAlreadyDueRunsInTheSamePass() {
        timers.scheduleAfter(0, 10, () -> {
            ran.add("first");
            timers.scheduleAfter(5, 10, log("second"));
        });
        timers.runDue(20);
        assertThat(ran).containsExactly("first", "second");
    }

    @Test
    void aCancelledTimerNeverRuns() {
        TimerQueue.Timer a = timers.scheduleAfter(0, 10, log("a"));
        timers.scheduleAfter(1, 10, log("b"));
        TimerQueue.Timer c = timers.schedule(5, log("c"));
        a.cancel();
        c.cancel();
        timers.runDue(100);
        assertThat(ran).containsExactly("b");
    }
}
