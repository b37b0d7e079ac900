package io.procmaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.MasterConfig;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.NotifyReceiver;
import io.procmaster.testing.NotifyReceiver.Datagram;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade takes the master's environment from its {@link StartOptions} (not from this JVM's,
 * which has no NOTIFY_SOCKET): READY at start, RELOADING/READY around {@link Master#reload(
 * io.procmaster.config.ServiceTable)} from the Java API, STOPPING at close (docs/systemd.md).
 */
class MasterSystemdNotifyTest {

    @Test
    void theStartOptionsEnvironmentIsWhereNotifySocketIsRead(@TempDir Path dir) throws Exception {
        String socket = dir.resolve("notify").toString();
        MasterConfig config = MasterFixture.config(dir.resolve("queue"));
        int port = MasterFixture.freePort();
        String cf = "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n";
        try (NotifyReceiver systemd = NotifyReceiver.bind(socket)) {
            try (Master master = Master.start(config, MasterFixture.table(config, cf),
                    StartOptions.defaults().withEnvironment(Map.of("NOTIFY_SOCKET", socket)))) {
                systemd.await("READY", r -> !r.isEmpty());
                master.reload(MasterFixture.table(config, cf + "127.0.0.1:" + MasterFixture.freePort()
                        + " inet n - n - 1 pm-echo\n"));
                systemd.await("RELOADING, READY", r -> r.size() >= 3);
            }
            List<Datagram> all = systemd.await("STOPPING", r -> r.size() >= 4);
            assertThat(all.stream().map(Datagram::kind)).containsExactly("READY", "RELOADING", "READY", "STOPPING");
            assertThat(all.get(2).get("STATUS")).startsWith("reloaded (added ").endsWith(": 2 services, 0 processes");
        }
    }
}
