package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * CgroupLimitsTest - the syntax of service_memory_max, service_pids_max and service_cpu_max
 * (docs/cgroups.md "Limits"), in main.cf and as master.cf {@code -o}: what each gives in cgroup's
 * file syntax, and that a bad value is an error naming the file, the line, the parameter and the value.
 */
class CgroupLimitsTest {
    @Test
    void memoryTakesMaxOrBytesWithASuffix() {
        assertThat(CgroupLimits.memory("max")).isEqualTo("max");
        assertThat(CgroupLimits.memory("4096")).isEqualTo("4096");
        assertThat(CgroupLimits.memory("64k")).isEqualTo("65536");
        assertThat(CgroupLimits.memory("256M")).isEqualTo("268435456");
        assertThat(CgroupLimits.memory("2g")).isEqualTo("2147483648");
        assertThat(CgroupLimits.memory("1t")).isEqualTo("1099511627776");
        for (String bad : new String[] {"", "0", "-1", "12x", "1.5g", "g", "99999999999999999999"}) {
            assertThatThrownBy(() -> CgroupLimits.memory(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> CgroupLimits.memory("lots")).hasMessageContaining("such as 256m");
    }

    @Test
    void pidsTakesMaxOrACount() {
        assertThat(CgroupLimits.pids("max")).isEqualTo("max");
        assertThat(CgroupLimits.pids(" 64 ")).isEqualTo("64");
        assertThatThrownBy(() -> CgroupLimits.pids("0")).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> CgroupLimits.pids("8k")).hasMessageContaining("whole number");
    }

    @Test
    void cpuTakesMaxAPercentageOrQuotaAndPeriod() {
        assertThat(CgroupLimits.cpu("max")).isEqualTo("max");
        assertThat(CgroupLimits.cpu("150%")).isEqualTo("150000 100000");
        assertThat(CgroupLimits.cpu("2.5%")).isEqualTo("2500 100000");
        assertThat(CgroupLimits.cpu("50000 100000")).isEqualTo("50000 100000");
        assertThat(CgroupLimits.cpu("max 50000")).isEqualTo("max 50000");
        assertThatThrownBy(() -> CgroupLimits.cpu("0.5%")).hasMessageContaining("at least 1%");
        assertThatThrownBy(() -> CgroupLimits.cpu("1.2345%")).hasMessageContaining("3 decimals");
        assertThatThrownBy(() -> CgroupLimits.cpu("50000")).hasMessageContaining("quota period");
        assertThatThrownBy(() -> CgroupLimits.cpu("500 100000")).hasMessageContaining("at least 1000");
        assertThatThrownBy(() -> CgroupLimits.cpu("5000 10")).hasMessageContaining("period must be");
        assertThat(CgroupLimits.limited("max")).isFalse();
        assertThat(CgroupLimits.limited("max 50000")).isFalse();
        assertThat(CgroupLimits.limited(null)).isFalse();
        assertThat(CgroupLimits.limited("50000 100000")).isTrue();
    }

    @Test
    void aBadMainCfValueNamesFileLineParameterAndValue() {
        ConfigException e = catchThrowableOfType(
                () -> MainCfParser.parse("main.cf", "service_cgroups = yes\nservice_memory_max = 12x\n"),
                ConfigException.class);
        assertThat(e).hasMessageStartingWith("main.cf: line 2: parameter \"service_memory_max\": bad value: \"12x\": expected max");
        e = catchThrowableOfType(() -> MainCfParser.parse("main.cf", "service_cgroups = maybe\n"), ConfigException.class);
        assertThat(e).hasMessage("main.cf: line 1: parameter \"service_cgroups\": bad value: \"maybe\": expected yes or no");
        e = catchThrowableOfType(() -> MainCfParser.parse("main.cf", "cgroup_directory = sys/fs/cgroup\n"),
                ConfigException.class);
        assertThat(e).hasMessageContaining("line 1: parameter \"cgroup_directory\"").hasMessageContaining("absolute path");
    }

    @Test
    void aBadMasterCfOptionNamesFileLineOptionAndValue() throws Exception {
        MasterConfig c = MasterConfig.of(Map.of(MasterConfig.SERVICES_FILE, ""));
        ConfigException e = catchThrowableOfType(() -> new MasterCfParser(c).parse("master.cf",
                "# x\na unix - - n - - a -o service_pids_max=lots\n"), ConfigException.class);
        assertThat(e).hasMessageStartingWith("master.cf: line 2: field \"service_pids_max\": bad value: \"lots\": expected max");
    }

    @Test
    void aServiceOptionOverridesMainCfAndTheRestInherits() throws Exception {
        MasterConfig c = MasterConfig.of(Map.of(MasterConfig.SERVICES_FILE, "", MasterConfig.SERVICE_MEMORY_MAX, "1g",
                MasterConfig.SERVICE_PIDS_MAX, "100"));
        ServiceSpec s = new MasterCfParser(c).parse("master.cf", "a unix - - n - - a -o service_pids_max=5\n")
                .services().get(0);
        assertThat(s.cgroupLimits().over(c.cgroupLimits()))
                .isEqualTo(new CgroupLimits("1073741824", "5", "max"));
        assertThat(s.toBuilder().build(c)).as("the option survives a copy").isEqualTo(s);
    }
}
