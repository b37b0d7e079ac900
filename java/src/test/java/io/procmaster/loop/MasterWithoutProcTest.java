package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.os.FileNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master where /proc cannot tell what it needs (a container or chroot without it): it knows its
 * uid without /proc, and a flow pipe it cannot name is recorded as unknown instead of failing the
 * start (a later master then says it cannot find the children: PreviousChildTest).
 */
class MasterWithoutProcTest {
    @Test
    void theMastersUidComesFromTheKernelNotFromProc(@TempDir Path dir) throws Exception {
        Path made = Files.createFile(dir.resolve("mine"));
        assertThat(QueueDirectory.masterUid()).isEqualTo(Files.getAttribute(made, "unix:uid"));
    }

    @Test
    void aFlowPipeThatCannotBeNamedIsRecordedAsUnknownNotFatal() throws Exception {
        // No such descriptor: /proc/self/fd/N cannot be read, as when there is no /proc at all.
        String flow = PreviousInstance.pipeOf(1_000_000);
        assertThat(flow).isEqualTo(PreviousInstance.FLOW_UNKNOWN);
        assertThat(PreviousChild.recordRefusal(new InstanceLock.Holder(42, 1, flow, PreviousInstance.bootId()),
                PreviousInstance.bootId())).contains("flow pipe was not recorded (unknown)");
    }

    @Test
    void ownUidNeedsNoProc() {
        assertThat(FileNodes.ownUid()).isEqualTo(QueueDirectory.masterUid());
    }
}
