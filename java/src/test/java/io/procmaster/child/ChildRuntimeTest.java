package io.procmaster.child;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.MasterFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java child runtime: its argv/GENERATION parsing, and a Java daemon under a real master. */
class ChildRuntimeTest {

    @Test
    void generationIsOctalAndStrict() {
        assertThat(ChildRuntime.parseGeneration(null)).isZero();
        assertThat(ChildRuntime.parseGeneration("10")).isEqualTo(8);
        assertThat(ChildRuntime.parseGeneration("37777777777")).isEqualTo(0xffffffffL);
        assertThatThrownBy(() -> ChildRuntime.parseGeneration("18")).hasMessage("bad generation: \"18\"");
        assertThatThrownBy(() -> ChildRuntime.parseGeneration("")).hasMessage("bad generation: \"\"");
        assertThatThrownBy(() -> ChildRuntime.parseGeneration("-1")).hasMessageContaining("bad generation");
    }

    @Test
    void masterOptionsAreRead() {
        ChildRuntime rt = ChildRuntime.of(Map.of("GENERATION", "11"),
                new String[] {"-l", "-n", "echo", "-t", "inet", "-u", "-o", "stress=", "-s", "2", "-o", "max_use=7",
                        "-o", "max_idle=3", "extra"});
        assertThat(rt.generation()).isEqualTo(9);
        assertThat(rt.listenCount()).isEqualTo(2);
        assertThat(rt.maxUse()).isEqualTo(7);
        assertThat(rt.maxIdleSeconds()).isEqualTo(3);
        assertThatThrownBy(() -> ChildRuntime.of(Map.of(), new String[] {"-o", "max_use=x"}))
                .hasMessage("max_use: bad value \"x\"");
        assertThatThrownBy(() -> ChildRuntime.of(Map.of(), new String[] {"-s"})).hasMessage("option -s needs a value");
    }

    private static Path wrapper(Path dir) throws Exception {
        Path daemons = Files.createDirectories(dir.resolve("libexec"));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path wrapper = daemons.resolve("java-echo");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + javaBin + " -XX:TieredStopAtLevel=1 -Xshare:auto -cp '"
                + System.getProperty("java.class.path") + "' io.procmaster.child.EchoDaemon \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        return daemons;
    }

    @Test
    void aJavaDaemonServesUnderTheMasterAndLeavesAtMaxUse(@TempDir Path dir) throws Exception {
        Path daemons = wrapper(dir);
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir, "daemon_directory=" + daemons);
        try (MasterFixture m = MasterFixture.start(config,
                "127.0.0.1:" + port + " inet n - n - 1 java-echo -o max_use=2\n")) {
            String id = "[127.0.0.1]:" + port;
            assertThat(MasterFixture.echo(port, "hello from java", 20_000)).isEqualTo("hello from java");
            assertThat(MasterFixture.echo(port, "second", 20_000)).isEqualTo("second");
            ServiceStatus s = m.status(id);
            for (int i = 0; i < 200 && s.total() > 0; i++) {
                TimeUnit.MILLISECONDS.sleep(50);
                s = m.status(id);
            }
            assertThat(s.total()).as("the child left at max_use").isZero();
            assertThat(s.counts().spawns()).isEqualTo(1);
            assertThat(s.counts().exits()).isEqualTo(1);
            assertThat(s.counts().abnormalExits()).isZero();
            assertThat(s.counts().forgedRecords()).isZero();
            assertThat(s.throttled()).isFalse();
        }
    }

    @Test
    void aJavaDaemonLeavesWhenTheMasterLetsGo(@TempDir Path dir) throws Exception {
        Path daemons = wrapper(dir);
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir, "daemon_directory=" + daemons);
        String cf = "127.0.0.1:" + port + " inet n - n - 1 java-echo\n";
        try (MasterFixture m = MasterFixture.start(config, cf)) {
            String id = "[127.0.0.1]:" + port;
            assertThat(MasterFixture.echo(port, "x", 20_000)).isEqualTo("x");
            // A reload retires the generation: its status channel closes, the child sees EOF on fd 5.
            m.master.reload(MasterFixture.table(config, cf)).get(10, TimeUnit.SECONDS);
            ServiceStatus s = m.status(id);
            for (int i = 0; i < 200 && s.counts().exits() == 0; i++) {
                TimeUnit.MILLISECONDS.sleep(50);
                s = m.status(id);
            }
            assertThat(s.counts().exits()).isEqualTo(1);
            assertThat(s.counts().abnormalExits()).isZero();
            assertThat(MasterFixture.echo(port, "y", 20_000)).as("a new child serves").isEqualTo("y");
        }
    }
}
