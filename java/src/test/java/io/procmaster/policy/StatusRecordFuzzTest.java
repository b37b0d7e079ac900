package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.procmaster.loop.StatusPackets;
import io.procmaster.os.StatusFlags;
import io.procmaster.status.ServiceStatus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Fuzz target for the status-record path (Jazzer): packets as the C loop delivers them (a 12-byte
 * record read as the child wrote it, native order: pid, generation, status; then the kernel's
 * sender pid, the loop's flags and the packet length), through {@link StatusPackets#deliver}, the
 * code the master's loop runs, into a {@link MasterPolicy} with live children, interleaved with
 * connections, child exits and time.
 *
 * <p>Invariants: nothing is thrown; every packet is either applied (its child changes state) or
 * counted as exactly one documented rejection (unknown service, malformed, forged, unknown pid,
 * generation mismatch, unknown status value, redundant); each service keeps 0 &lt;= avail &lt;=
 * total. Seeds: {@code src/test/resources/io/procmaster/policy/StatusRecordFuzzTestInputs/}.
 */
class StatusRecordFuzzTest {
    private static final List<String> SERVICES = List.of("smtp", "lmtp", "nope");

    @FuzzTest(maxDuration = "30s")
    void statusRecords(FuzzedDataProvider data) {
        PolicyHarness h = new PolicyHarness();
        h.start(svc("smtp").maxProc(3).build(), svc("lmtp").maxProc(0).build());
        for (int ops = 0; ops < 300 && data.remainingBytes() > 0; ops++) {
            switch (data.consumeInt(0, 5)) {
                case 0 -> h.connect(data.pickValue(SERVICES));
                case 1 -> {
                    if (!h.actions.spawnedPids.isEmpty()) {
                        int pid = data.pickValue(h.actions.spawnedPids);
                        h.exit(pid, data.consumeBoolean() ? ChildExit.exited(data.consumeInt(0, 255))
                                : ChildExit.killed(data.consumeInt(1, 31)));
                    }
                }
                case 2 -> h.advance(Duration.ofMillis(data.consumeLong(0, 120_000)));
                default -> packet(h, data);
            }
            for (String id : SERVICES.subList(0, 2)) {
                ServiceStatus st = h.status(id);
                assertThat(st.avail()).as("%s avail", id).isBetween(0, st.total());
            }
        }
    }

    /** One packet, checked to be applied or counted exactly once. */
    private static void packet(PolicyHarness h, FuzzedDataProvider data) {
        String service = data.pickValue(SERVICES);
        ByteBuffer record = ByteBuffer.allocate(StatusFlags.recordSize()).order(ByteOrder.nativeOrder());
        record.put(data.consumeBytes(record.capacity()));
        int pid = record.getInt(0);
        int generation = record.getInt(4);
        int status = record.getInt(8);
        if (!h.actions.spawnedPids.isEmpty() && data.consumeBoolean()) {
            // Aim at a live child most of the time: random pids would only ever test "unknown pid".
            pid = data.pickValue(h.actions.spawnedPids);
            Optional<ChildRecord> c = h.policy.child(pid);
            if (c.isPresent() && data.consumeBoolean()) {
                generation = (int) c.get().generation();
            }
            status = data.consumeBoolean() ? data.consumeInt(0, 1) : status;
        }
        int sender = data.consumeBoolean() ? pid : data.consumeInt();
        int flags = data.consumeInt();
        int length = data.consumeBoolean() ? StatusFlags.recordSize() : data.consumeInt();

        long before = rejections(h);
        Optional<ChildRecord.State> stateBefore = h.policy.child(pid).map(ChildRecord::state);
        StatusPackets.deliver(h.policy, service, pid, generation, status, sender, flags, length);
        h.pump();
        Optional<ChildRecord.State> stateAfter = h.policy.child(pid).map(ChildRecord::state);
        boolean applied = stateBefore.isPresent() && !stateBefore.equals(stateAfter);
        assertThat(rejections(h) - before + (applied ? 1 : 0))
                .as("packet pid=%d gen=%d status=%d sender=%d flags=%x length=%d on %s: applied or counted once",
                        pid, generation, status, sender, flags, length, service)
                .isEqualTo(1);
    }

    private static long rejections(PolicyHarness h) {
        long n = h.policy.masterCounters().unknownServiceEvents();
        for (String id : SERVICES.subList(0, 2)) {
            ServiceStatus.Counts c = h.status(id).counts();
            n += c.malformedRecords() + c.forgedRecords() + c.unknownPidRecords() + c.generationMismatches()
                    + c.unknownStatusValues() + c.redundantRecords();
        }
        return n;
    }
}
