package io.procmaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.MasterConfig;
import io.procmaster.metrics.Jmx;
import io.procmaster.metrics.registry.PlatformMBeans;
import io.procmaster.testing.Await;
import io.procmaster.testing.MasterFixture;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opt-outs of docs/metrics.md: {@code -Dprocmaster.jmx=false}, {@link Jmx#setEnabled} and the
 * per-master flag leave the MBeanServer without procmaster's names; {@link Master#metrics()} still
 * reports real figures.
 */
class MasterJmxOptOutTest {

    private static boolean anyRegisteredFor(Path queue) throws Exception {
        String key = PlatformMBeans.value(queue.toAbsolutePath().normalize().toString());
        return !ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("io.procmaster:master=" + key + ",*"), null).isEmpty();
    }

    private static void servesAndCounts(Master master, int port) throws Exception {
        assertThat(MasterFixture.echo(port, "hi", 5000)).isEqualTo("hi");
        String id = master.status().get(0).id();
        Await.until("spawns >= 1", Duration.ofSeconds(10), () -> master.metrics().services().get(id).getSpawns(), n -> n >= 1);
    }

    @Test
    void theSystemPropertyTurnsRegistrationOff(@TempDir Path queue) throws Exception {
        int port = MasterFixture.freePort();
        MasterConfig config = MasterFixture.config(queue);
        String before = System.getProperty(Jmx.ENABLED_PROPERTY);
        System.setProperty(Jmx.ENABLED_PROPERTY, "false");
        try (Master master = Master.start(config, MasterFixture.table(config, "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n"))) {
            assertThat(Jmx.enabled()).isFalse();
            assertThat(master.metrics().objectName()).isNull();
            assertThat(anyRegisteredFor(queue)).isFalse();
            servesAndCounts(master, port);
            assertThat(anyRegisteredFor(queue)).isFalse();
        } finally {
            if (before == null) {
                System.clearProperty(Jmx.ENABLED_PROPERTY);
            } else {
                System.setProperty(Jmx.ENABLED_PROPERTY, before);
            }
        }
        assertThat(Jmx.enabled()).isTrue();
    }

    @Test
    void theProgrammaticSwitchesTurnRegistrationOff(@TempDir Path q1, @TempDir Path q2) throws Exception {
        MasterConfig c1 = MasterFixture.config(q1);
        int port = MasterFixture.freePort();
        try (Master master = Master.start(c1, MasterFixture.table(c1, "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n"), new StartOptions(false))) {
            assertThat(master.metrics().objectName()).isNull();
            assertThat(anyRegisteredFor(q1)).isFalse();
            servesAndCounts(master, port);
        }
        MasterConfig c2 = MasterFixture.config(q2);
        Jmx.setEnabled(false);
        try (Master master = Master.start(c2, MasterFixture.table(c2, "127.0.0.1:" + MasterFixture.freePort() + " inet n - n - 2 pm-echo\n"))) {
            assertThat(master.metrics().objectName()).isNull();
            assertThat(anyRegisteredFor(q2)).isFalse();
        } finally {
            Jmx.setEnabled(null);
        }
        assertThat(Jmx.enabled()).isTrue();
    }
}
