package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.MainCfParser;
import io.procmaster.config.MasterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, CLI: {@code procmaster config [-n]} prints the master-wide parameters, as postconf [-n] does. */
class ConfigCommandTest {

    @Test
    void configPrintsEveryParameterTheMasterReadsWithItsEffectiveValue(@TempDir Path dir) throws Exception {
        Path mainCf = Files.writeString(dir.resolve("main.cf"),
                "service_throttle_time = 7s\nmail_owner =\nsome_daemon_parameter = kept\n");
        CliRun r = CliRun.of("config", "--main", mainCf.toString(), "-o", "default_process_limit=37");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = List.of(r.out().split("\n"));
        List<String> names = new ArrayList<>(MasterConfig.defaultValues().keySet());
        names.add(MasterConfig.THROTTLE_MAX_TIME);
        assertThat(lines).hasSize(names.size());
        assertThat(lines).isSorted();
        assertThat(lines).contains("service_throttle_time = 7s", "default_process_limit = 37",
                "throttle_max_time = 70s", "daemon_directory = /usr/libexec/procmaster", "mail_owner =",
                "spawn_rate_limit = 100");
        assertThat(r.out()).doesNotContain("some_daemon_parameter");

        // The output is main.cf: read back, it gives the same configuration.
        Path printed = Files.writeString(dir.resolve("printed.cf"), r.out());
        MasterConfig back = MainCfParser.parse(printed).config();
        assertThat(back.serviceThrottleTime()).hasSeconds(7);
        assertThat(back.throttleMaxTime()).hasSeconds(70);
        assertThat(back.defaultProcessLimit()).isEqualTo(37);
    }

    @Test
    void dashNPrintsOnlyTheParametersSetExplicitly(@TempDir Path dir) throws Exception {
        Path mainCf = Files.writeString(dir.resolve("main.cf"), "service_throttle_time = 7s\nunknown_one = x\n");
        CliRun r = CliRun.of("config", "-n", "--main", mainCf.toString(), "-o", "queue_directory=" + dir);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("queue_directory = " + dir + "\nservice_throttle_time = 7s\n");
        CliRun none = CliRun.of("config", "-n");
        assertThat(none.code()).isZero();
        assertThat(none.out()).isEmpty();
    }

    @Test
    void aBadParameterFailsWithFileAndLine(@TempDir Path dir) throws Exception {
        Path mainCf = Files.writeString(dir.resolve("main.cf"), "\nservice_throttle_time = soon\n");
        CliRun r = CliRun.of("config", "--main", mainCf.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(mainCf + ": line 2:").contains("service_throttle_time");
    }
}
