package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The refusal's decision and words (docs/containers.md); the real PID 1 is ContainerEntrypointTest's. */
class OrphanReaperRoleTest {

    @Test
    void pid1IsRefusedWithWhyAndWhatToRunInstead() {
        assertThat(OrphanReaperRole.refusal(1, false)).contains("PID 1").contains("zombie")
                .contains("ProcessBuilder").contains("exit codes").contains("pm-init -- procmaster run")
                .contains("docker run --init").contains("tini").contains("docs/containers.md");
    }

    @Test
    void aChildSubreaperIsRefusedToo() {
        assertThat(OrphanReaperRole.refusal(4242, true)).contains("child subreaper").contains("zombie")
                .contains("ProcessBuilder").contains("pm-init -s -- procmaster run");
    }

    @Test
    void anOrdinaryProcessMayRunAMaster() {
        assertThat(OrphanReaperRole.refusal(4242, false)).isNull();
    }
}
