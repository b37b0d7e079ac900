package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.ProcSelf;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterSmokeTest {
    @Test
    void echoServiceIsSpawnedOnDemandAndAnswers(@TempDir Path queue) throws Exception {
        int port = MasterFixture.freePort();
        var fds = ProcSelf.descriptors();
        var config = MasterFixture.config(queue);
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + port + " inet n - n - 5 pm-echo\n")) {
            assertThat(m.status("[127.0.0.1]:" + port).counts().spawns()).isZero();
            assertThat(MasterFixture.echo(port, "hello", 5000)).isEqualTo("hello");
            assertThat(m.status("[127.0.0.1]:" + port).counts().spawns()).isEqualTo(1);
            // A second client may arrive while the first child is still TAKEN (it has not yet seen
            // the first client's EOF): then the master rightly spawns a second child.
            assertThat(MasterFixture.echo(port, "again", 5000)).isEqualTo("again");
            assertThat(m.status("[127.0.0.1]:" + port).counts().spawns()).isBetween(1L, 2L);
        }
        assertThat(ProcSelf.zombies()).isEmpty();
        assertThat(ProcSelf.openedSince(fds)).as("descriptors left open").isEmpty();
    }
}
