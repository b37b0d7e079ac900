package io.procmaster.cli;

import io.procmaster.status.ServiceStatus;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code procmaster status --format openmetrics}: the OpenMetrics text exposition of the master
 * and its services, for scrapers (docs/cli.md, "status --format openmetrics").
 *
 * <p>Families: {@code procmaster_build} (info, label {@code version}); {@code procmaster_master_pid}
 * and {@code procmaster_master_uptime_seconds} (gauges); per service, labelled
 * {@code service="<id>"}, the gauges of {@link #GAUGES} ({@code procmaster_service_processes},
 * {@code ..._processes_available}, {@code ..._throttled}, ...; a state is 1 or 0, a time remaining
 * is 0 when not in that state) and one counter per component of {@link ServiceStatus.Counts}, named
 * from the component ({@code spawnFailures} is {@code procmaster_service_spawn_failures}, sample
 * {@code procmaster_service_spawn_failures_total}), read by reflection so that none is left out.
 * With service_cgroups, the families of {@link #CGROUP_GAUGES} and {@link #CGROUP_COUNTERS}
 * ({@code procmaster_service_cgroup_memory_bytes}, {@code ..._cgroup_processes},
 * {@code ..._cgroup_pids_max_events_total}, ...) for the services that have a cgroup.
 * Each family has {@code # TYPE} and {@code # HELP} (and {@code # UNIT} for seconds) before its
 * samples; the exposition ends with {@code # EOF}. Label values and help texts are escaped as the
 * format's escaped-string ({@code \\}, {@code \"}, {@code \n}).
 *
 * <p>Failure modes: none for a well-formed status.
 */
final class StatusOpenMetrics {

    /** A per-service gauge: its name after {@code procmaster_service_}, help text, unit (or null), value. */
    private record Gauge(String suffix, String help, String unit, Function<ServiceStatus, Number> value) {
    }

    private static final List<Gauge> GAUGES = List.of(
            new Gauge("processes", "Processes of the service", null, ServiceStatus::total),
            new Gauge("processes_available", "Processes of the service that are idle, waiting for a client", null,
                    ServiceStatus::avail),
            new Gauge("process_limit", "The service's process limit (max_proc; 0 means unlimited)", null,
                    ServiceStatus::maxProc),
            new Gauge("old_generation_processes", "Processes of the service's previous configuration still running",
                    null, ServiceStatus::oldEpochChildren),
            new Gauge("listening", "1 while the master listens for the service's clients", null,
                    s -> flag(s.listening())),
            new Gauge("throttled", "1 while the service is throttled after failed starts", null,
                    s -> flag(s.throttled())),
            new Gauge("throttle_remaining_seconds", "Time until the throttle is lifted (0 when not throttled)",
                    "seconds", s -> seconds(s.throttleRemaining())),
            new Gauge("throttle_level", "Consecutive throttles of the exponential back-off", null,
                    ServiceStatus::throttleLevel),
            new Gauge("stress", "1 while the service is in stress mode", null, s -> flag(s.stress())),
            new Gauge("stress_remaining_seconds", "Time until stress mode ends (0 when not in stress mode)",
                    "seconds", s -> seconds(s.stressRemaining())),
            new Gauge("draining", "1 while a removed service waits for its processes to go", null,
                    s -> flag(s.draining())),
            new Gauge("conditional_wakeup_pending", "1 while a conditional wakeup waits for the service's first spawn",
                    null, s -> flag(s.conditionalWakeupPending())),
            new Gauge("epoch", "Configuration generation of the service (one more at each restart of it)", null,
                    ServiceStatus::epoch));

    /** With service_cgroups (docs/cgroups.md "Reporting"): per service with a cgroup, where the kernel counts it. */
    private static final List<Gauge> CGROUP_GAUGES = List.of(
            new Gauge("cgroup_memory_bytes", "memory.current of the service's cgroup", "bytes",
                    s -> s.cgroup().memoryBytes()),
            new Gauge("cgroup_processes", "Processes in the service's cgroup, grandchildren included", null,
                    s -> s.cgroup().processes()));

    /** Counters of the service's cgroup: suffix, help, value. */
    private static final List<Gauge> CGROUP_COUNTERS = List.of(
            new Gauge("cgroup_pids_max_events", "Forks refused at the cgroup's pids.max (pids.events max)", null,
                    s -> s.cgroup().pidsMaxEvents()),
            new Gauge("cgroup_memory_max_events", "Times the cgroup reached memory.max (memory.events max)", null,
                    s -> s.cgroup().memoryMaxEvents()),
            new Gauge("cgroup_oom_kills", "Processes the OOM killer ended in the cgroup (memory.events oom_kill)", null,
                    s -> s.cgroup().oomKills()));

    private StatusOpenMetrics() {
    }

    static String render(MasterIdentity master, List<ServiceStatus> services) {
        StringBuilder sb = new StringBuilder();
        family(sb, "procmaster_build", "info", "The master's build", null);
        sb.append("procmaster_build_info{version=\"").append(escapeLabel(master.version())).append("\"} 1\n");
        family(sb, "procmaster_master_pid", "gauge", "Process id of the master", null);
        sb.append("procmaster_master_pid ").append(master.pid()).append('\n');
        family(sb, "procmaster_master_uptime_seconds", "gauge", "Time since the master started", "seconds");
        sb.append("procmaster_master_uptime_seconds ").append(number(seconds(master.uptime()))).append('\n');
        for (Gauge g : GAUGES) {
            String name = "procmaster_service_" + g.suffix();
            family(sb, name, "gauge", g.help(), g.unit());
            for (ServiceStatus s : services) {
                sample(sb, name, s, g.value().apply(s));
            }
        }
        for (RecordComponent c : ServiceStatus.Counts.class.getRecordComponents()) {
            String name = "procmaster_service_" + snakeCase(c.getName());
            family(sb, name, "counter", "Events of the service since it was added: " + words(c.getName()), null);
            for (ServiceStatus s : services) {
                sample(sb, name + "_total", s, (Number) StatusJson.read(c, s.counts()));
            }
        }
        List<ServiceStatus> withCgroup = services.stream().filter(s -> s.cgroup() != null).toList();
        if (!withCgroup.isEmpty()) {
            for (Gauge g : CGROUP_GAUGES) {
                String name = "procmaster_service_" + g.suffix();
                family(sb, name, "gauge", g.help(), g.unit());
                for (ServiceStatus s : withCgroup) {
                    Number v = g.value().apply(s);
                    if (v != null) { // absent where its controller is not enabled
                        sample(sb, name, s, v);
                    }
                }
            }
            for (Gauge g : CGROUP_COUNTERS) {
                String name = "procmaster_service_" + g.suffix();
                family(sb, name, "counter", g.help(), null);
                for (ServiceStatus s : withCgroup) {
                    sample(sb, name + "_total", s, g.value().apply(s));
                }
            }
        }
        return sb.append("# EOF\n").toString();
    }

    private static void family(StringBuilder sb, String name, String type, String help, String unit) {
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        if (unit != null) {
            sb.append("# UNIT ").append(name).append(' ').append(unit).append('\n');
        }
        sb.append("# HELP ").append(name).append(' ').append(escapeLabel(help)).append('\n');
    }

    private static void sample(StringBuilder sb, String name, ServiceStatus s, Number value) {
        sb.append(name).append("{service=\"").append(escapeLabel(s.id())).append("\"} ").append(number(value))
                .append('\n');
    }

    private static Number flag(boolean b) {
        return b ? 1 : 0;
    }

    private static BigDecimal seconds(Duration d) {
        return d == null ? BigDecimal.ZERO : StatusJson.seconds(d);
    }

    private static String number(Number n) {
        return n instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : n.toString();
    }

    /** {@code spawnFailures} to {@code spawn_failures}. */
    static String snakeCase(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('_').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String words(String camel) {
        return snakeCase(camel).replace('_', ' ').toLowerCase(Locale.ROOT);
    }

    static String escapeLabel(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

}
