package io.procmaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.ServiceSpec;
import io.procmaster.testing.MasterFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's switches reach the master's start ({@link StartOptions}); MXBeans are on unless switched off. */
class StartOptionsTest {
    @Test
    void registerMBeansDefaultsOnAndTheBuilderSwitchesItOff(@TempDir Path queue) throws Exception {
        int port = MasterFixture.freePort();
        try (Master on = Master.builder().queueDirectory(queue.resolve("on"))
                .service(ServiceSpec.inet("127.0.0.1:" + port, "/bin/true")).start()) {
            assertThat(on.options().registerMBeans()).isTrue();
        }
        try (Master off = Master.builder().queueDirectory(queue.resolve("off")).registerMBeans(false).start()) {
            assertThat(off.options().registerMBeans()).isFalse();
        }
        try (Master plain = Master.start(Master.loadConfig(null,
                List.of("queue_directory=" + queue.resolve("plain"))), io.procmaster.config.ServiceTable.empty())) {
            assertThat(plain.options()).isEqualTo(StartOptions.defaults());
        }
    }
}
