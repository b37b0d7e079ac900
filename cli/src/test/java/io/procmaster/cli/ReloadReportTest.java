package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceTable;
import io.procmaster.status.ReloadSummary;
import io.procmaster.testing.MasterFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kept service whose model changed in a way master.cf's fields do not show directly is still
 * reported as changed, never counted as unchanged (docs/cli.md, "reload").
 */
class ReloadReportTest {

    @Test
    void aChangeOnlyTheDerivedSettingsShowIsStillAChange(@TempDir Path dir) throws Exception {
        MasterConfig small = MasterFixture.config(dir, "default_process_limit=100");
        MasterConfig large = MasterFixture.config(dir, "default_process_limit=300");
        ServiceSpec before = ServiceSpec.unix("echo", "pm-echo").maxProc(5).build(small);
        ServiceSpec after = ServiceSpec.unix("echo", "pm-echo").maxProc(5).build(large);
        String id = before.key().toString();
        ReloadSummary kept = new ReloadSummary(List.of(), List.of(id), List.of(), List.of());

        assertThat(ReloadReport.describe(kept, ServiceTable.of(List.of(before)), ServiceTable.of(List.of(after))))
                .isEqualTo("reloaded: changed echo (" + id + "): listen_backlog 100 -> 300; unchanged: 0");
        assertThat(ReloadReport.describe(kept, ServiceTable.of(List.of(before)), ServiceTable.of(List.of(before))))
                .isEqualTo("reloaded: no changes; unchanged: 1");
    }

    @Test
    void aChangedCgroupLimitIsNamed(@TempDir Path dir) throws Exception {
        MasterConfig c = MasterFixture.config(dir);
        ServiceSpec before = ServiceSpec.unix("echo", "pm-echo").option("service_pids_max", "8").build(c);
        ServiceSpec after = ServiceSpec.unix("echo", "pm-echo").option("service_pids_max", "16")
                .option("service_memory_max", "1m").build(c);
        String id = before.key().toString();
        ReloadSummary kept = new ReloadSummary(List.of(), List.of(id), List.of(), List.of());
        assertThat(ReloadReport.describe(kept, ServiceTable.of(List.of(before)), ServiceTable.of(List.of(after))))
                .isEqualTo("reloaded: changed echo (" + id + "): service_memory_max - -> 1048576, "
                        + "service_pids_max 8 -> 16; unchanged: 0");
    }
}
