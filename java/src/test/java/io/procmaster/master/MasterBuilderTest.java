package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.Master;
import io.procmaster.config.ConfigException;
import io.procmaster.config.ServiceSpec;
import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.TestBin;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Master#builder()}: a master from the Java API alone. The first test is the ten-line
 * example of README.md "Using it from Java" and docs/java-api.md, line for line (only the echo
 * daemon's path is the build's); the others check what the builder promises beyond it: services
 * are built against the builder's parameters, and a bad parameter or service starts nothing.
 */
class MasterBuilderTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theTenLineExampleStartsEchoesAndCloses(@TempDir Path queue) throws Exception {
        int port = MasterFixture.freePort();
        String echo = TestBin.path("pm-echo");
        Master kept;
        // --- the ten lines of README.md "Using it from Java" and docs/java-api.md (they print; this asserts) ---
        try (Master master = Master.builder()
                .queueDirectory(queue)
                .service(ServiceSpec.inet("127.0.0.1:" + port, echo).maxProc(4))
                .start();
             Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("hello");      // README: System.out.println(in.readLine());
            assertThat(master.statusText()).contains("[127.0.0.1]:" + port); // README: System.out.print(master.statusText());
            // --- end of the example ---
            ServiceStatus s = master.status().get(0);
            assertThat(s.id()).isEqualTo("[127.0.0.1]:" + port + "/inet");
            assertThat(s.counts().spawns()).isEqualTo(1);
            assertThat(master.config().queueDirectory()).isEqualTo(queue.toAbsolutePath());
            kept = master;
        }
        assertThat(kept.stopped()).isCompleted();
    }

    @Test
    void servicesAreBuiltAgainstTheBuildersParameters(@TempDir Path queue) throws Exception {
        Path bin = Path.of(TestBin.path("pm-echo")).getParent();
        // Built against the defaults first: its socket would be under /var/spool/procmaster.
        ServiceSpec prebuilt = ServiceSpec.unix("echo2", "pm-echo").build();
        try (Master master = Master.builder()
                .queueDirectory(queue)
                .daemonDirectory(bin)
                .parameter("service_throttle_time", "2s")
                .service(ServiceSpec.unix("echo1", "pm-echo"))
                .service(prebuilt)
                .registerMBeans(false)
                .start()) {
            assertThat(master.config().serviceThrottleTime()).hasSeconds(2);
            assertThat(master.status()).extracting(ServiceStatus::id)
                    .containsExactly("private/echo1/unix", "private/echo2/unix");
            assertThat(Files.exists(queue.resolve("private/echo1"))).isTrue();
            assertThat(Files.exists(queue.resolve("private/echo2"))).isTrue();
        }
    }

    @Test
    void aBadParameterOrServiceStartsNothing(@TempDir Path queue) {
        assertThatThrownBy(() -> Master.builder().queueDirectory(queue)
                .parameter("default_process_limit", "0").start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("default_process_limit");
        assertThatThrownBy(() -> Master.builder().queueDirectory(queue)
                .service(ServiceSpec.inet("127.0.0.1:1", "/bin/true").maxProc(-1)).start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("max_proc");
        assertThat(queue.resolve("pid/master.lock")).doesNotExist();
    }

    @Test
    void aMainCfSettingNothingReadsIsWarnedAboutAsWhenStartedFromFiles(@TempDir Path queue) throws Exception {
        Path mainCf = queue.resolve("main.cf");
        Files.writeString(mainCf, "servce_throttle_time = 5s\n");
        try (Master master = Master.builder().mainCf(mainCf).queueDirectory(queue)
                .service(ServiceSpec.unix("echo", TestBin.path("pm-echo")).maxProc(1)).start()) {
            assertThat(master.table().warnings()).containsExactly(mainCf + ": line 1: unused parameter: "
                    + "servce_throttle_time=5s (did you mean service_throttle_time?)");
        }
    }
}
