package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Defect 12's follow-up: which processes a restarted master may end. A decoy holding a pipe with
 * the recorded inode on fds 3 and 4 cannot be made on purpose, so each rule of the decision is
 * tested on the pure function; MasterInstanceTest's defect12 test runs the whole thing.
 */
class PreviousChildTest {
    private static final String BOOT = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    private static final String PIPE = "pipe:[56789]";
    private static final long MASTER_START = 1_733_080_000_000L;
    private static final Path DAEMONS = Path.of("/usr/libexec/procmaster");
    private static final Path ECHO = DAEMONS.resolve("pm-echo");
    private static final long SUPERVISOR = 4242;

    private static final InstanceLock.Holder RECORD = new InstanceLock.Holder(1234, MASTER_START, PIPE, BOOT);
    private static final PreviousChild.Known KNOWN = new PreviousChild.Known(RECORD, BOOT, Set.of(1L, SUPERVISOR),
            Set.of(Path.of("/opt/other/daemon")), DAEMONS);

    /** A child of that master, orphaned to init, as /proc shows it. */
    private static PreviousChild.Facts child() {
        return new PreviousChild.Facts(2000, 1, PIPE, PIPE, ECHO, Instant.ofEpochMilli(MASTER_START + 5000));
    }

    private static PreviousChild.Facts with(long ppid, String fd3, String fd4, Path exe, Instant start) {
        return new PreviousChild.Facts(2000, ppid, fd3, fd4, exe, start);
    }

    @Test
    void defect12_anOrphanedChildOfThePreviousMasterIsEnded() {
        assertThat(PreviousChild.recordRefusal(RECORD, BOOT)).isNull();
        assertThat(PreviousChild.refusal(child(), KNOWN)).isNull();
        PreviousChild.Facts c = child();
        // orphaned to a subreaper that is an ancestor of this master; a configured command elsewhere
        assertThat(PreviousChild.refusal(with(SUPERVISOR, PIPE, PIPE, Path.of("/opt/other/daemon"), c.start()), KNOWN))
                .isNull();
        // a daemon replaced on disk while it ran (an upgrade)
        assertThat(PreviousChild.refusal(with(1, PIPE, PIPE, Path.of(ECHO + " (deleted)"), c.start()), KNOWN)).isNull();
    }

    @Test
    void defect12_aRecordFromAnotherBootNamesNoChildren() {
        assertThat(PreviousChild.recordRefusal(RECORD, "ffffffff-0000-0000-0000-000000000000"))
                .contains("another boot");
    }

    @Test
    void defect12_aRecordWithoutBootOrFlowNamesNoChildren() {
        assertThat(PreviousChild.recordRefusal(new InstanceLock.Holder(1234, MASTER_START, PIPE, ""), BOOT))
                .contains("boot");
        assertThat(PreviousChild.recordRefusal(new InstanceLock.Holder(1234, MASTER_START, PIPE, BOOT), ""))
                .contains("boot");
        assertThat(PreviousChild.recordRefusal(new InstanceLock.Holder(1234, MASTER_START, "unknown", BOOT), BOOT))
                .contains("flow pipe");
        assertThat(PreviousChild.recordRefusal(InstanceLock.Holder.NONE, BOOT)).isNotNull();
    }

    @Test
    void defect12_aProcessWithoutThePipeOnBothFds3And4IsLeft() {
        Instant s = child().start();
        assertThat(PreviousChild.refusal(with(1, PIPE, "pipe:[1]", ECHO, s), KNOWN)).isNotNull();
        assertThat(PreviousChild.refusal(with(1, null, PIPE, ECHO, s), KNOWN)).isNotNull();
    }

    @Test
    void defect12_aProcessStartedBeforeThePreviousMasterIsLeft() {
        assertThat(PreviousChild.refusal(with(1, PIPE, PIPE, ECHO, Instant.ofEpochMilli(MASTER_START - 60_000)), KNOWN))
                .contains("before");
        assertThat(PreviousChild.refusal(with(1, PIPE, PIPE, ECHO, null), KNOWN)).contains("start");
    }

    @Test
    void defect12_aProcessWithALiveParentIsLeft() {
        // a child of some live process (a recycled inode on a pipe it made): not an orphan
        assertThat(PreviousChild.refusal(with(777, PIPE, PIPE, ECHO, child().start()), KNOWN)).contains("parent");
        assertThat(PreviousChild.refusal(with(0, PIPE, PIPE, ECHO, child().start()), KNOWN)).contains("parent");
    }

    @Test
    void defect12_aProcessRunningAProgramTheMasterDoesNotRunIsLeft() {
        Instant s = child().start();
        assertThat(PreviousChild.refusal(with(1, PIPE, PIPE, Path.of("/usr/bin/python3"), s), KNOWN))
                .contains("/usr/bin/python3");
        assertThat(PreviousChild.refusal(with(1, PIPE, PIPE, Path.of("/usr/libexec/procmaster-evil/x"), s), KNOWN))
                .isNotNull();
        assertThat(PreviousChild.refusal(with(1, PIPE, PIPE, null, s), KNOWN)).contains("program");
    }
}
