package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Map;

/**
 * Fuzz targets for the two configuration parsers (Jazzer). Any byte sequence must end in
 * acceptance or in a {@link ConfigException} whose every error names the file and a line of it;
 * any other exception, or an error without a line, is a finding.
 *
 * <p>In a normal {@code mvn verify} Jazzer replays the seeds in
 * {@code src/test/resources/io/procmaster/config/ConfigFuzzTestInputs/<method>/} (regression mode);
 * {@code ci/fuzz.sh} fuzzes each target for its {@code maxDuration} (JAZZER_FUZZ=1).
 */
class ConfigFuzzTest {
    private static final MasterConfig MASTER_CONFIG = masterConfig();

    private static MasterConfig masterConfig() {
        try {
            // services_file empty: no file is read; the queue directory is only resolved, never touched.
            return MasterConfig.of(Map.of("queue_directory", "/var/spool/procmaster-fuzz", "services_file", "",
                    "inet_interfaces", "all"));
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void masterCf(byte[] content) {
        ServiceTable table;
        try {
            table = new MasterCfParser(MASTER_CONFIG).parse("master.cf", content);
        } catch (ConfigException e) {
            assertEveryErrorHasFileAndLine(e, "master.cf", content);
            return;
        }
        for (ServiceSpec s : table.services()) {
            // What the master does next with an accepted entry must not throw either.
            s.childArgv(false, false, true);
            s.socketPath().ifPresent(p -> assertThat(p.toString()).doesNotContain("\0"));
            // A socket or FIFO stays a file directly in public/ or private/ of queue_directory.
            s.socketPath().ifPresent(p -> assertThat(p.normalize().getParent().getParent())
                    .isEqualTo(MASTER_CONFIG.queueDirectory()));
            assertThat(s.name()).doesNotContain("\0");
            assertThat(s.command()).doesNotContain("\0");
            assertThat(s.args()).noneMatch(a -> a.indexOf('\0') >= 0);
        }
        assertThat(table.format()).isNotNull();
    }

    @FuzzTest(maxDuration = "30s")
    void mainCf(byte[] content) {
        try {
            MainCfParser.Result r = MainCfParser.parse("main.cf", content);
            assertThat(r.config().queueDirectory()).isNotNull();
        } catch (ConfigException e) {
            assertEveryErrorHasFileAndLine(e, "main.cf", content);
        }
    }

    private static void assertEveryErrorHasFileAndLine(ConfigException e, String file, byte[] content) {
        int lines = 1;
        for (byte b : content) {
            if (b == '\n') {
                lines++;
            }
        }
        for (ConfigError err : e.errors()) {
            assertThat(err.file()).as("file of %s", err).isEqualTo(file);
            assertThat(err.line()).as("line of %s", err).isBetween(1, lines);
            assertThat(err.message()).startsWith(file + ": line " + err.line() + ": ");
        }
        assertThat(e.report()).doesNotContain("\0");
    }
}
