package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ServiceStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

/**
 * Issue 8 defect 10 (log floods): one hostile child produced 400 067 warnings (68 MB) in about
 * 20 s, one per forged, malformed or unknown record. Now each (service, kind) logs at most 10
 * lines per 10 s and then one summary with the exact count of the suppressed ones; the counters
 * still count every record. All on the fake clock: no sleeps, no slf4j backend.
 */
class LogFloodTest {

    private static final int FLOOD = 100_000;

    /** What would reach the log: the formatted lines with their levels. */
    static final class CapturedLog implements PolicyLog {
        final List<String> lines = new ArrayList<>();

        @Override
        public void log(Level level, String format, Object... args) {
            if (level.toInt() >= Level.INFO.toInt()) { // what a production log at INFO keeps
                lines.add(level + " " + MessageFormatter.arrayFormat(format, args).getMessage());
            }
        }

        long count(String text) {
            return lines.stream().filter(l -> l.contains(text)).count();
        }
    }

    private final CapturedLog log = new CapturedLog();
    private final PolicyHarness h = new PolicyHarness(PolicySettings.defaults(), log);

    private int startWithOneChild(String id) {
        h.start(svc(id).maxProc(10).build());
        h.connect(id);
        return h.lastPid();
    }

    @Test
    void defect10_aFloodOfForgedRecordsLogsElevenLinesAndCountsEveryRecord() {
        int pid = startWithOneChild("smtp");
        long gen = h.generationOf(pid);

        for (int i = 0; i < FLOOD; i++) {
            h.policy.onStatus("smtp", pid + 1, pid, gen, 0); // the kernel says another pid sent it
        }

        assertThat(h.status("smtp").counts().forgedRecords()).isEqualTo(FLOOD);
        assertThat(log.count("status record claims pid")).isEqualTo(10);
        assertThat(log.lines).hasSize(10);
        h.advanceSeconds(10); // the interval ends: one summary with the exact count
        assertThat(log.lines).hasSize(11);
        assertThat(log.lines.get(10)).isEqualTo(
                "WARN service smtp(smtp): 99990 more forged status records suppressed in the last 10s");
        assertThat(h.status("smtp").counts().forgedRecords()).isEqualTo(FLOOD);
        assertThat(h.policy.child(pid).orElseThrow().state()).isEqualTo(ChildRecord.State.AVAIL); // no effect
    }

    @Test
    void defect10_everyKindAChildCanTriggerIsLimitedOnItsOwnBudget() {
        int pid = startWithOneChild("smtp");
        long gen = h.generationOf(pid);
        for (int i = 0; i < FLOOD; i++) {
            h.policy.onMalformedStatus("smtp", pid, 7);
            h.policy.onStatus("smtp", pid, pid, gen, 42);     // unknown status value
            h.policy.onStatus("smtp", pid, pid, gen + 1, 0);  // another generation
            h.policy.onStatusReadError("smtp", "Connection reset by peer");
        }
        h.advanceSeconds(10);

        ServiceStatus st = h.status("smtp");
        assertThat(st.counts().malformedRecords()).isEqualTo(FLOOD);
        assertThat(st.counts().unknownStatusValues()).isEqualTo(FLOOD);
        assertThat(st.counts().generationMismatches()).isEqualTo(FLOOD);
        assertThat(st.counts().statusReadErrors()).isEqualTo(FLOOD);
        assertThat(log.count("partial status update")).isEqualTo(10);
        assertThat(log.count("ignoring unknown status")).isEqualTo(10);
        assertThat(log.count("ignoring status update from child pid")).isEqualTo(10);
        assertThat(log.count("read: Connection reset by peer")).isEqualTo(10);
        assertThat(log.lines).contains(
                "WARN service smtp(smtp): 99990 more malformed status records suppressed in the last 10s",
                "WARN service smtp(smtp): 99990 more status records with an unknown status suppressed in the last 10s",
                "INFO service smtp(smtp): 99990 more status records of another generation suppressed in the last 10s",
                "WARN service smtp(smtp): 99990 more status read errors suppressed in the last 10s");
        assertThat(log.lines).hasSize(4 * 11);
    }

    @Test
    void defect10_aFloodOnOneServiceDoesNotSilenceAnother() {
        int bad = startWithOneChild("bad");
        h.start(svc("good").maxProc(10).build());
        h.connect("good");
        int good = h.lastPid();
        for (int i = 0; i < FLOOD; i++) {
            h.policy.onStatus("bad", bad + 1, bad, h.generationOf(bad), 0);
        }
        h.policy.onStatus("good", good + 1, good, h.generationOf(good), 0);

        assertThat(log.count("service good(good): status record claims pid")).isEqualTo(1);
    }

    @Test
    void defect10_aSteadyFloodGetsTenLinesAndOneSummaryPerInterval() {
        int pid = startWithOneChild("smtp");
        long gen = h.generationOf(pid);
        for (int second = 0; second < 60; second++) {
            for (int i = 0; i < 1000; i++) {
                h.policy.onStatus("smtp", pid, pid, gen, 42);
            }
            h.advanceSeconds(1);
        }

        assertThat(h.status("smtp").counts().unknownStatusValues()).isEqualTo(60_000);
        assertThat(log.count("ignoring unknown status")).isEqualTo(6 * 10);
        assertThat(log.count("9990 more status records with an unknown status suppressed in the last 10s"))
                .isEqualTo(6);
        assertThat(log.lines).hasSize(6 * 11);
    }

    @Test
    void defect10_crashReportsAndUnknownPidsAreLimitedToo() {
        h.start(svc("smtp").maxProc(0).build());
        for (int i = 0; i < 1000; i++) {
            h.connect("smtp");
            int pid = h.lastPid();
            h.taken("smtp", pid);
            h.avail("smtp", pid);                          // it served: no bad-startup throttle
            h.exit(pid, ChildExit.killed(11));
            h.policy.onChildExit(900_000 + i, ChildExit.exited(0)); // a pid the master never had
        }
        h.advanceSeconds(10);

        assertThat(h.status("smtp").counts().abnormalExits()).isEqualTo(1000);
        assertThat(h.policy.masterCounters().unknownPidExits()).isEqualTo(1000);
        assertThat(log.count("killed by signal 11")).isEqualTo(10);
        assertThat(log.count("master_reap: unknown pid")).isEqualTo(10);
        assertThat(log.lines).contains(
                "WARN service smtp(smtp): 990 more abnormal child exits suppressed in the last 10s",
                "WARN master: 990 more exits of unknown pids suppressed in the last 10s");
    }

    @Test
    void oneSummaryTimerPerFloodedIntervalAndNoneLeftBehind() {
        int pid = startWithOneChild("smtp");
        int timersBefore = h.timers.pendingCount();
        for (int i = 0; i < FLOOD; i++) {
            h.policy.onStatus("smtp", pid + 1, pid, h.generationOf(pid), 0);
        }
        assertThat(h.timers.pendingCount()).isEqualTo(timersBefore + 1); // one summary timer, not one per line
        h.advanceSeconds(10);
        assertThat(h.timers.pendingCount()).isEqualTo(timersBefore);
    }
}
