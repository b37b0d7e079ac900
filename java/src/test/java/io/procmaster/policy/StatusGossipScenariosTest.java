package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static io.procmaster.policy.RecordingActions.Type.LISTEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.FakeClock;
import io.procmaster.time.TimerQueue;
import org.junit.jupiter.api.Test;

/** docs/postfix-master.md §4.2 status processing, §9 scenario 13 (a-e), W1 (forged records) and docs/postfix-master.md §10 W2 (framing). */
class StatusGossipScenariosTest {

    private final PolicyHarness h = new PolicyHarness();

    private int oneChild(String id) {
        h.connect(id);
        return h.lastPid();
    }

    @Test
    void scenario13a_unknownPid_noChangeCounted() {
        h.start(svc("foo").build());
        int pid = oneChild("foo");
        int mark = h.actions.mark();
        h.policy.onStatus("foo", 0, 99999, 1, 0);

        assertThat(h.actions.since(mark)).isEmpty();
        assertThat(h.status("foo").counts().unknownPidRecords()).isEqualTo(1);
        assertThat(h.policy.child(pid).orElseThrow().state()).isEqualTo(ChildRecord.State.AVAIL);
    }

    @Test
    void scenario13b_ownPidWrongGeneration_ignoredAndCounted() {
        h.start(svc("foo").build());
        int pid = oneChild("foo");
        h.policy.onStatus("foo", pid, pid, h.generationOf(pid) + 7, 0);

        assertThat(h.status("foo").counts().generationMismatches()).isEqualTo(1);
        assertThat(h.status("foo").avail()).isEqualTo(1);
        assertThat(h.listening("foo")).isFalse();
    }

    @Test
    void scenario13c_partialRecord_countedAsMalformed() {
        h.start(svc("foo").build());
        int pid = oneChild("foo");
        h.policy.onMalformedStatus("foo", pid, 5);

        assertThat(h.status("foo").malformedRecords()).isEqualTo(1);
        assertThat(h.status("foo").avail()).isEqualTo(1);
    }

    @Test
    void scenario13d_unknownStatusValue_ignoredAndCounted() {
        h.start(svc("foo").build());
        int pid = oneChild("foo");
        int mark = h.actions.mark();
        h.policy.onStatus("foo", pid, pid, h.generationOf(pid), 7);
        h.policy.onStatus("foo", pid, pid, h.generationOf(pid), Integer.MIN_VALUE);

        assertThat(h.actions.since(mark)).isEmpty();
        assertThat(h.status("foo").counts().unknownStatusValues()).isEqualTo(2);
        assertThat(h.policy.child(pid).orElseThrow().state()).isEqualTo(ChildRecord.State.AVAIL);
    }

    @Test
    void scenario13e_availTwice_secondIgnored_useCountOnlyOnTakenToAvail() {
        h.start(svc("foo").build());
        int pid = oneChild("foo");
        h.avail("foo", pid); // AVAIL from birth: redundant
        h.taken("foo", pid);
        h.avail("foo", pid);
        h.avail("foo", pid); // redundant

        assertThat(h.policy.child(pid).orElseThrow().useCount()).isEqualTo(1);
        assertThat(h.status("foo").counts().redundantRecords()).isEqualTo(2);
        assertThat(h.status("foo").avail()).isEqualTo(1);
    }

    @Test
    void W1_recordWhosePidIsNotItsKernelSender_isForgedAndNeverTrusted() {
        h.start(svc("foo").maxProc(5).build());
        int victim = oneChild("foo");
        h.taken("foo", victim);
        int liar = oneChild("foo");
        int mark = h.actions.mark();
        // The liar claims the victim became AVAIL, with the victim's right generation.
        h.policy.onStatus("foo", liar, victim, h.generationOf(victim), 1);

        assertThat(h.status("foo").forgedRecords()).isEqualTo(1);
        assertThat(h.policy.child(victim).orElseThrow().state()).isEqualTo(ChildRecord.State.TAKEN);
        assertThat(h.actions.since(mark)).isEmpty();
    }

    @Test
    void W1_anotherServicesPidAndGenerationOnThisChannel_isLoggedCountedNotAPanic() {
        h.start(svc("foo").build(), svc("bar").build());
        int barChild = oneChild("bar");
        oneChild("foo");
        // Without kernel credentials (sender 0) the record passes the pid and generation checks,
        // but it arrived on foo's channel for a child of bar.
        h.policy.onStatus("foo", 0, barChild, h.generationOf(barChild), 0);

        assertThat(h.status("foo").forgedRecords()).isEqualTo(1);
        assertThat(h.status("bar").forgedRecords()).isZero();
        assertThat(h.policy.child(barChild).orElseThrow().state()).isEqualTo(ChildRecord.State.AVAIL);
        assertThat(h.status("bar").avail()).isEqualTo(1);
    }

    @Test
    void W1_senderMatchingPidIsAccepted() {
        h.start(svc("foo").build());
        int pid = oneChild("foo");
        h.policy.onStatus("foo", pid, pid, h.generationOf(pid), 0);
        assertThat(h.status("foo").avail()).isZero();
        assertThat(h.actions.of(LISTEN)).extracting(RecordingActions.Call::flag).containsExactly(true, false, true);
    }

    @Test
    void W2_malformedRecordsDoNotDisturbLaterWellFormedOnes() {
        h.start(svc("foo").build());
        int pid = oneChild("foo");
        h.policy.onMalformedStatus("foo", pid, 1);
        h.policy.onMalformedStatus("foo", pid, 13);
        h.taken("foo", pid);
        assertThat(h.status("foo").malformedRecords()).isEqualTo(2);
        assertThat(h.policy.child(pid).orElseThrow().state()).isEqualTo(ChildRecord.State.TAKEN);
    }

    @Test
    void generationIsComparedAsUnsigned32Bit() {
        GenerationCounter gens = new GenerationCounter(0xFFFF_FFFEL);
        RecordingActions actions = new RecordingActions();
        FakeClock clock = new FakeClock();
        MasterPolicy p = new MasterPolicy(PolicySettings.postfixCompatible(), new TimerQueue(clock), actions, gens);
        p.start(java.util.List.of(svc("foo").build()));
        p.onListenReady("foo");
        int pid = actions.spawnedPids.get(0);
        assertThat(p.child(pid).orElseThrow().generation()).isEqualTo(0xFFFF_FFFFL);
        p.onStatus("foo", pid, pid, -1, 0); // the record's uint32 read as a Java int
        assertThat(p.status("foo").orElseThrow().avail()).isZero();
    }

    @Test
    void statusReadErrorIsCountedWithoutStateChange() {
        h.start(svc("foo").build());
        oneChild("foo");
        h.policy.onStatusReadError("foo", "Connection reset by peer");
        assertThat(h.status("foo").counts().statusReadErrors()).isEqualTo(1);
        assertThat(h.status("foo").avail()).isEqualTo(1);
    }

    @Test
    void recordForAnUnknownServiceIsCountedMasterWide() {
        h.start(svc("foo").build());
        h.policy.onStatus("nope", 1, 1, 1, 1);
        h.policy.onMalformedStatus(null, 1, 3);
        assertThat(h.policy.masterCounters().unknownServiceEvents()).isEqualTo(2);
    }
}
