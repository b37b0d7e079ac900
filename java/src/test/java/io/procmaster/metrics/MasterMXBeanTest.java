package io.procmaster.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.Master;
import io.procmaster.config.MasterConfig;
import io.procmaster.metrics.registry.PlatformMBeans;
import io.procmaster.testing.Await;
import io.procmaster.testing.MasterFixture;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master serving real connections, read as a JMX client reads it: through the platform
 * MBeanServer by ObjectName (docs/metrics.md). The figures move with real traffic, a reload adds
 * and removes Service MXBeans, and close leaves nothing registered.
 */
class MasterMXBeanTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static Object attr(ObjectName name, String attribute) throws Exception {
        return SERVER.getAttribute(name, attribute);
    }

    private static long longAttr(ObjectName name, String attribute) throws Exception {
        return ((Number) attr(name, attribute)).longValue();
    }

    @Test
    void figuresOfAServingMasterAreReadThroughThePlatformMBeanServerAndCloseUnregistersThem(@TempDir Path queue)
            throws Exception {
        int port = MasterFixture.freePort();
        MasterConfig config = MasterFixture.config(queue);
        String key = queue.toAbsolutePath().normalize().toString();
        ObjectName masterName = new ObjectName("io.procmaster:type=Master,master=" + PlatformMBeans.value(key));
        String serviceId;
        ObjectName serviceName;
        try (Master master = Master.start(config, MasterFixture.table(config,
                "127.0.0.1:" + port + " inet n - n - 5 pm-echo\n"))) {
            assertThat(master.metrics().objectName()).isEqualTo(masterName);
            assertThat(SERVER.isRegistered(masterName)).isTrue();
            serviceId = master.status().get(0).id();
            serviceName = new ObjectName("io.procmaster:type=Service,master=" + PlatformMBeans.value(key)
                    + ",service=" + PlatformMBeans.value(serviceId));
            assertThat(SERVER.isRegistered(serviceName)).as("%s registered", serviceName).isTrue();
            assertThat(SERVER.queryNames(new ObjectName("io.procmaster:type=Service,master=" + PlatformMBeans.value(key) + ",*"), null))
                    .containsExactly(serviceName);
            assertThat(longAttr(serviceName, "Spawns")).isZero();
            assertThat(longAttr(serviceName, "ProcessLimit")).isEqualTo(5);
            assertThat(attr(serviceName, "Listening")).isEqualTo(true);
            assertThat(attr(serviceName, "Throttled")).isEqualTo(false);
            assertThat(longAttr(serviceName, "ThrottleRemainingMillis")).isEqualTo(-1);

            assertThat(MasterFixture.echo(port, "hello", 5000)).isEqualTo("hello");

            // The snapshot is at most a second old: the figures follow within a bounded wait.
            Await.until("Spawns >= 1 over JMX", Duration.ofSeconds(10), () -> longAttr(serviceName, "Spawns"), n -> n >= 1);
            assertThat(longAttr(serviceName, "ProcessesTotal")).isBetween(1L, 5L);
            assertThat(longAttr(serviceName, "ProcessesAvailable")).isBetween(0L, longAttr(serviceName, "ProcessesTotal"));
            assertThat(longAttr(serviceName, "SpawnFailures")).isZero();
            assertThat(longAttr(serviceName, "BadStartups")).isZero();
            assertThat(longAttr(serviceName, "ForgedRecords")).isZero();
            assertThat(longAttr(serviceName, "MalformedRecords")).isZero();
            assertThat(attr(serviceName, "Id")).isEqualTo(serviceId);
            assertThat(attr(serviceName, "Present")).isEqualTo(true);
            assertThat(longAttr(serviceName, "SnapshotAgeMillis")).isBetween(0L, 60_000L);

            assertThat(longAttr(masterName, "LastGeneration")).isGreaterThanOrEqualTo(1);
            assertThat(longAttr(masterName, "ServiceCount")).isEqualTo(1);
            assertThat((String[]) attr(masterName, "ServiceIds")).containsExactly(serviceId);
            assertThat(longAttr(masterName, "Children")).isGreaterThanOrEqualTo(1);
            assertThat(attr(masterName, "ShuttingDown")).isEqualTo(false);
            assertThat(attr(masterName, "MasterKey")).isEqualTo(key);
            long facadeBefore = master.uptime().toMillis();
            long up = longAttr(masterName, "UptimeMillis");
            assertThat(up).as("one clock: Master.uptime() and the MXBean's").isBetween(facadeBefore, master.uptime().toMillis());
            assertThat(up).isGreaterThanOrEqualTo(0);
            Await.until("uptime grows", Duration.ofSeconds(5), () -> longAttr(masterName, "UptimeMillis"), u -> u > up);
            assertThat(longAttr(masterName, "StartTimeMillis")).isBetween(System.currentTimeMillis() - 600_000,
                    System.currentTimeMillis());

            // The same figures through the API object (one model, read by the Micrometer binder).
            ServiceMXBean viaApi = master.metrics().services().get(serviceId);
            assertThat(viaApi.getSpawns()).isGreaterThanOrEqualTo(1);
        }
        assertThat(SERVER.isRegistered(masterName)).isFalse();
        assertThat(SERVER.isRegistered(serviceName)).isFalse();
        assertThat(SERVER.queryNames(new ObjectName("io.procmaster:master=" + PlatformMBeans.value(key) + ",*"), null)).isEmpty();
    }

    @Test
    void aReloadRegistersTheServicesItAddsAndUnregistersThoseItRemoves(@TempDir Path queue) throws Exception {
        int first = MasterFixture.freePort();
        int second = MasterFixture.freePort();
        MasterConfig config = MasterFixture.config(queue);
        String key = PlatformMBeans.value(queue.toAbsolutePath().normalize().toString());
        ObjectName services = new ObjectName("io.procmaster:type=Service,master=" + key + ",*");
        String a = "127.0.0.1:" + first + " inet n - n - 2 pm-echo\n";
        String b = "127.0.0.1:" + second + " inet n - n - 3 pm-echo\n";
        try (Master master = Master.start(config, MasterFixture.table(config, a))) {
            assertThat(SERVER.queryNames(services, null)).hasSize(1);
            master.reload(MasterFixture.table(config, a + b));
            Set<ObjectName> both = SERVER.queryNames(services, null);
            assertThat(both).hasSize(2);
            ObjectName added = both.stream().filter(n -> n.getKeyProperty("service").contains(String.valueOf(second)))
                    .findFirst().orElseThrow();
            assertThat(longAttr(added, "ProcessLimit")).isEqualTo(3);

            master.reload(MasterFixture.table(config, b));
            // The removed service drains first (docs/postfix-master.md §10 W3); its MXBean goes with it.
            Await.until("one Service MXBean after the removal", Duration.ofSeconds(10), () -> {
                master.metrics().refresh();
                return SERVER.queryNames(services, null);
            }, names -> names.size() == 1);
            assertThat(SERVER.queryNames(services, null)).containsExactly(added);
            assertThat(master.metrics().services()).hasSize(1);
        }
        assertThat(SERVER.queryNames(services, null)).isEmpty();
    }

    @Test
    void aMasterThatHasStoppedUnregistersBeforeItIsClosed(@TempDir Path queue) throws Exception {
        MasterConfig config = MasterFixture.config(queue);
        try (Master master = Master.start(config, MasterFixture.table(config,
                "127.0.0.1:" + MasterFixture.freePort() + " inet n - n - 1 pm-echo\n"))) {
            ObjectName name = master.metrics().objectName();
            assertThat(SERVER.isRegistered(name)).isTrue();
            master.stop().get(20, java.util.concurrent.TimeUnit.SECONDS);
            Await.until("unregistered once stopped", Duration.ofSeconds(10), () -> SERVER.isRegistered(name), r -> !r);
            assertThat(SERVER.queryNames(new ObjectName("io.procmaster:type=Service,master="
                    + PlatformMBeans.value(queue.toAbsolutePath().normalize().toString()) + ",*"), null)).isEmpty();
            assertThat(master.metrics().objectName()).isNull();
        }
    }

    @Test
    void twoMastersInOneJvmHaveDistinctNames(@TempDir Path q1, @TempDir Path q2) throws Exception {
        MasterConfig c1 = MasterFixture.config(q1);
        MasterConfig c2 = MasterFixture.config(q2);
        try (Master m1 = Master.start(c1, MasterFixture.table(c1, "127.0.0.1:" + MasterFixture.freePort() + " inet n - n - 1 pm-echo\n"));
             Master m2 = Master.start(c2, MasterFixture.table(c2, "127.0.0.1:" + MasterFixture.freePort() + " inet n - n - 1 pm-echo\n"))) {
            assertThat(m1.metrics().objectName()).isNotNull().isNotEqualTo(m2.metrics().objectName());
            assertThat(SERVER.isRegistered(m1.metrics().objectName())).isTrue();
            assertThat(SERVER.isRegistered(m2.metrics().objectName())).isTrue();
        }
    }
}
