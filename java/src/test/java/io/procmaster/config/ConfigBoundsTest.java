package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 defect 11 (bounds): no configuration value may drive the master into self-destruction.
 * {@code procmaster_min_idle=999999999} with maxproc 0 was accepted and forked until the kernel
 * refused; the master's other numbers had no upper bound either (a throttle time of 20000w
 * overflowed the timers' nanoseconds). Every one is now bounded, with a file:line error from
 * master.cf and main.cf and a {@link ConfigException} from the builder and {@code -o}.
 */
class ConfigBoundsTest {

    private static ConfigException masterCfError(String content) {
        return catchThrowableOfType(() -> MasterCfParserTest.parse(content), ConfigException.class);
    }

    private static ConfigException mainCfError(String content) {
        return catchThrowableOfType(() -> MainCfParser.parse("main.cf", content), ConfigException.class);
    }

    @Test
    void defect11_minIdleAboveTheMaximumWithUnlimitedMaxprocIsAFileLineError() {
        assertThat(masterCfError("# c\nfoo unix - - n - 0 cmd -o procmaster_min_idle=999999999\n"))
                .hasMessage("master.cf: line 2: field \"procmaster_min_idle\": bad value: \"999999999\": "
                        + "must be at most " + ServiceSpec.MAX_MIN_IDLE);
        assertThat(masterCfError("foo unix - - n - 0 cmd -o procmaster_min_idle=" + (ServiceSpec.MAX_MIN_IDLE + 1)))
                .hasMessageContaining("line 1: field \"procmaster_min_idle\"");
    }

    @Test
    void defect11_minIdleAtTheMaximumIsAccepted() throws Exception {
        assertThat(MasterCfParserTest.only("foo unix - - n - 0 cmd -o procmaster_min_idle=" + ServiceSpec.MAX_MIN_IDLE)
                .minIdle()).isEqualTo(ServiceSpec.MAX_MIN_IDLE);
    }

    @Test
    void defect11_theBuilderRefusesTooManyIdleChildren() {
        assertThat(catchThrowableOfType(() -> ServiceSpec.builder("foo", ServiceType.UNIX).command("cmd").maxProc(0)
                .minIdle(999_999_999).build(), ConfigException.class))
                .hasMessageContaining("field \"procmaster_min_idle\": bad value: \"999999999\": must be at most");
    }

    @Test
    void defect11_maxprocAndWakeupHaveAnUpperBound() {
        assertThat(masterCfError("foo unix - - n - 999999999 cmd"))
                .hasMessage("master.cf: line 1: field \"max_proc\": bad value: \"999999999\": "
                        + "must be at most " + ServiceSpec.MAX_PROCESS_LIMIT + " (0 means unlimited)");
        assertThat(masterCfError("foo unix - - n 999999999 1 cmd"))
                .hasMessage("master.cf: line 1: field \"wakeup_time\": bad value: \"999999999\": "
                        + "must be at most " + ServiceSpec.MAX_WAKEUP_SECONDS);
        assertThat(catchThrowableOfType(() -> ServiceSpec.builder("foo", ServiceType.UNIX).command("cmd")
                .maxProc(ServiceSpec.MAX_PROCESS_LIMIT + 1).build(), ConfigException.class))
                .hasMessageContaining("field \"max_proc\"");
    }

    @Test
    void defect11_mainCfNumbersAndTimesHaveAnUpperBound() {
        assertThat(mainCfError("default_process_limit = 999999999\n"))
                .hasMessage("main.cf: line 1: parameter \"default_process_limit\": bad value: \"999999999\": "
                        + "must be at most " + ServiceSpec.MAX_PROCESS_LIMIT);
        assertThat(mainCfError("\nspawn_rate_limit = 999999999\n"))
                .hasMessage("main.cf: line 2: parameter \"spawn_rate_limit\": bad value: \"999999999\": "
                        + "must be at most " + MasterConfig.MAX_SPAWN_RATE_LIMIT);
        for (String p : new String[] {MasterConfig.SERVICE_THROTTLE_TIME, MasterConfig.THROTTLE_MAX_TIME,
                MasterConfig.SERVICE_DRAIN_TIME, MasterConfig.STRESS_WINDOW_TIME, MasterConfig.BUSY_WARNING_TIME}) {
            assertThat(mainCfError(p + " = 20000w\n")).as(p)
                    .hasMessageContaining("main.cf: line 1: parameter \"" + p + "\": bad value: \"20000w\": "
                            + "must be at most " + TimeValues.format(MasterConfig.MAX_TIME));
        }
    }

    @Test
    void defect11_commandLineOverridesAreBoundedToo() {
        assertThat(catchThrowableOfType(() -> MasterConfig.defaults().withOverride("service_throttle_time=20000w"),
                ConfigException.class)).hasMessageContaining("must be at most");
        assertThat(catchThrowableOfType(() -> MasterConfig.of(Map.of(MasterConfig.SPAWN_RATE_LIMIT, "2147483647")),
                ConfigException.class)).hasMessageContaining("must be at most");
    }

    @Test
    void defect11_valuesAtTheBoundsAreAccepted() throws Exception {
        MasterConfig c = MasterConfig.of(Map.of(
                MasterConfig.DEFAULT_PROCESS_LIMIT, Integer.toString(ServiceSpec.MAX_PROCESS_LIMIT),
                MasterConfig.SPAWN_RATE_LIMIT, Integer.toString(MasterConfig.MAX_SPAWN_RATE_LIMIT),
                MasterConfig.SERVICE_THROTTLE_TIME, "1w",
                MasterConfig.THROTTLE_MAX_TIME, "1w"));
        assertThat(c.throttleMaxTime()).isEqualTo(MasterConfig.MAX_TIME);
        // The derived default (ten times the throttle time) stays within the bound too.
        assertThat(MasterConfig.of(Map.of(MasterConfig.SERVICE_THROTTLE_TIME, "1d")).throttleMaxTime())
                .isEqualTo(MasterConfig.MAX_TIME);
        assertThat(MasterCfParserTest.only("foo unix - - n " + ServiceSpec.MAX_WAKEUP_SECONDS + " "
                + ServiceSpec.MAX_PROCESS_LIMIT + " cmd").maxProc()).isEqualTo(ServiceSpec.MAX_PROCESS_LIMIT);
    }
}
