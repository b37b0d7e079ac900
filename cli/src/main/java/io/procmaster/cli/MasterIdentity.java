package io.procmaster.cli;

import io.procmaster.Master;
import io.procmaster.time.Durations;
import java.time.Duration;

/**
 * Who answers on the control socket: the master's pid, uptime and version, the first thing
 * {@code procmaster status} shows (as {@code postfix status} names the master's PID), and the
 * {@code master} object of {@code status --json} and the {@code procmaster_master_*} metrics
 * (docs/cli.md). Taken in the master's own process: the control server runs there.
 *
 * <p>Immutable. Failure modes: none; the version is {@code (version unknown)} when the build did
 * not write it ({@link VersionProvider}).
 */
record MasterIdentity(long pid, Duration uptime, String version) {

    /** This process's pid, the master's uptime and the build's version. */
    static MasterIdentity of(Master master) {
        return new MasterIdentity(ProcessHandle.current().pid(), master.uptime(), VersionProvider.version());
    }

    /** {@code procmaster is running: PID: 4242, uptime: 1h2m3s, version: 0.1.0}; uptime in whole seconds. */
    String headline() {
        return "procmaster is running: PID: " + pid + ", uptime: "
                + Durations.format(Duration.ofSeconds(uptime.getSeconds())) + ", version: " + version;
    }
}
