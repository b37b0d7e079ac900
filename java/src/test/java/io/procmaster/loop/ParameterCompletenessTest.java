package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.ConfigException;
import io.procmaster.config.MasterCfParser;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceType;
import io.procmaster.os.SpawnSpec;
import io.procmaster.policy.ServicePolicySpec;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ParameterCompletenessTest - every documented main.cf parameter and every master.cf field (and the
 * {@code -o} option procmaster consumes) set to a value other than its default, and its effect
 * observed where it lands: the {@link io.procmaster.policy.PolicySettings} the loop builds, the one
 * model ({@link ServiceSpec}), the policy's view of it and the spawn request of a child, all derived
 * in {@link ServiceViews}, the one adapter. No process is needed: each of these is what the loop
 * hands to the policy or the os unchanged.
 *
 * <p>Where an effect only shows at the os or over time, another test observes it and the row says
 * which: the listen backlog in the kernel ({@code master.ListenBacklogTest}, {@code ss -ltn}), the
 * stress window and the busy warning on the fake clock ({@code policy.ConfiguredWindowsTest}), the
 * owner of the socket files ({@code master.MasterScenarioTest.pathListenersBelongToMailOwner}).
 *
 * <p>Each row also checks that the default configuration does not give the same observation, so a
 * row cannot pass because the value was dropped and the default happens to match. The guard tests
 * fail when {@link MasterConfig} or {@link ServiceSpec} knows a parameter or field without a row:
 * a new one cannot be added unwired.
 *
 * <p>The parameter names are documented in docs/configuration.md, docs/postfix-master.md §1.2 and
 * §1.5 and MasterConfig's Javadoc.
 */
class ParameterCompletenessTest {

    @TempDir
    static Path dir;

    /** An observation of one configuration; may throw (a bad port name under the defaults). */
    interface Observer {
        Object observe(MasterConfig config) throws Exception;
    }

    /** One main.cf parameter: its non-default value, what it must give, and where that is seen. */
    record MainCfRow(String name, String value, Observer observer, Object expected, String where) {
        @Override
        public String toString() {
            return name + "=" + value + " -> " + where;
        }
    }

    /** One master.cf field: a baseline entry, the entry with the field changed, and what it must give. */
    record MasterCfRow(String field, String baseline, String changed, EntryObserver observer, Object expected,
                       String where) {
        @Override
        public String toString() {
            return field + ": " + changed + " -> " + where;
        }
    }

    interface EntryObserver {
        Object observe(ServiceSpec spec) throws Exception;
    }

    private static final String UNIX = "a unix - - n - - a";
    private static final String INET = "smtp inet n - n - 2 smtpd";

    static List<MainCfRow> mainCfRows() throws Exception {
        Path services = Files.writeString(dir.resolve("services"), "pmtest 4242/tcp\n");
        return List.of(
                new MainCfRow(MasterConfig.DEFAULT_PROCESS_LIMIT, "37",
                        c -> List.of(spec(c, UNIX).maxProc(), spec(c, UNIX).listenBacklog(), view(c, UNIX).maxProc()),
                        List.of(37, 37, 37), "maxproc '-', the listen backlog (ListenBacklogTest: in the kernel) "
                                + "and the policy's limit"),
                new MainCfRow(MasterConfig.SERVICE_THROTTLE_TIME, "7s",
                        c -> ServiceViews.policySettings(c).throttleDelay(), Duration.ofSeconds(7),
                        "PolicySettings.throttleDelay"),
                new MainCfRow(MasterConfig.THROTTLE_MAX_TIME, "99s",
                        c -> ServiceViews.policySettings(c).throttleMax(), Duration.ofSeconds(99),
                        "PolicySettings.throttleMax"),
                new MainCfRow(MasterConfig.SPAWN_RATE_LIMIT, "7",
                        c -> List.of(ServiceViews.policySettings(c).spawnRateLimit(),
                                ServiceViews.policySettings(c).spawnRateWindow()),
                        List.of(7, Duration.ofSeconds(1)), "PolicySettings.spawnRateLimit, per second"),
                new MainCfRow(MasterConfig.SERVICE_DRAIN_TIME, "3s",
                        c -> ServiceViews.policySettings(c).drainTime(), Duration.ofSeconds(3),
                        "PolicySettings.drainTime"),
                new MainCfRow(MasterConfig.STRESS_WINDOW_TIME, "30s",
                        c -> ServiceViews.policySettings(c).stressWindow(), Duration.ofSeconds(30),
                        "PolicySettings.stressWindow (ConfiguredWindowsTest: how long stress lasts)"),
                new MainCfRow(MasterConfig.BUSY_WARNING_TIME, "20s",
                        c -> ServiceViews.policySettings(c).busyWarnInterval(), Duration.ofSeconds(20),
                        "PolicySettings.busyWarnInterval (ConfiguredWindowsTest: time between warnings)"),
                new MainCfRow(MasterConfig.DAEMON_DIRECTORY, "/opt/pm/libexec",
                        c -> List.of(spawn(c, UNIX).path(), view(c, UNIX).command()),
                        List.of("/opt/pm/libexec/a", "/opt/pm/libexec/a"), "the program spawned"),
                new MainCfRow(MasterConfig.QUEUE_DIRECTORY, "/srv/pmq",
                        c -> List.of(spawn(c, UNIX).cwd(), spec(c, UNIX).socketPath().orElseThrow().toString(),
                                c.controlSocket().toString()),
                        List.of("/srv/pmq", "/srv/pmq/private/a", "/srv/pmq/procmaster.sock"),
                        "the child's working directory, the socket path, the control socket"),
                new MainCfRow(MasterConfig.CONTROL_SOCKET, "ctl.sock",
                        c -> c.controlSocket().toString(), "/var/spool/procmaster/ctl.sock",
                        "the path cli's ControlServer binds"),
                new MainCfRow(MasterConfig.INET_INTERFACES, "127.0.0.1",
                        c -> List.of(spec(c, INET).listenEndpoints().toString(), view(c, INET).stressEligible(),
                                spawn(c, INET).argv().contains("stress=")),
                        List.of("[127.0.0.1:25]", false, false),
                        "the endpoints bound, and so local-only: no stress for the policy, no -o stress="),
                new MainCfRow(MasterConfig.KNOWN_TCP_PORTS, "smtp=2525",
                        c -> List.of(spec(c, INET).listenEndpoints().toString(), view(c, INET).id()),
                        List.of("[*:2525]", "2525/inet"), "the port bound and the service's identity"),
                new MainCfRow(MasterConfig.MASTER_SERVICE_DISABLE, "unix",
                        c -> names(c, UNIX + "\n" + INET + "\n"), List.of("smtp"), "the services started"),
                new MainCfRow(MasterConfig.SERVICES_FILE, services.toString(),
                        c -> orError(() -> view(c, "pmtest inet n - n - - x").id()), "4242/inet",
                        "a port name resolved"),
                new MainCfRow(MasterConfig.IMPORT_ENVIRONMENT, "PM_COMPLETENESS=yes",
                        c -> spawn(c, UNIX).environment(), Map.of("PM_COMPLETENESS", "yes", "GENERATION", "1"),
                        "the child's environment"),
                new MainCfRow(MasterConfig.MAIL_OWNER, "nobody",
                        c -> c.mailOwner().map(UserPrincipal::getName).orElse(""), "nobody",
                        "the owner ServiceDescriptors.bind gives the socket files (MasterScenarioTest: on disk)"),
                new MainCfRow(MasterConfig.SERVICE_CGROUPS, "yes", MasterConfig::serviceCgroups, true,
                        "ServiceCgroups.of makes the services' cgroups (ServiceCgroupsTest: end to end)"),
                new MainCfRow(MasterConfig.CGROUP_DIRECTORY, "/sys/fs/cgroup/pm",
                        c -> c.cgroupDirectory().map(Path::toString).orElse(""), "/sys/fs/cgroup/pm",
                        "where CgroupDelegation.prepare makes them (ServiceCgroupsTest: a test's own subtree)"),
                new MainCfRow(MasterConfig.SERVICE_MEMORY_MAX, "256m",
                        c -> ServiceViews.cgroupLimits(spec(c, UNIX), c).memoryMax(), "268435456",
                        "memory.max of every service's cgroup"),
                new MainCfRow(MasterConfig.SERVICE_PIDS_MAX, "64",
                        c -> ServiceViews.cgroupLimits(spec(c, UNIX), c).pidsMax(), "64",
                        "pids.max of every service's cgroup (ServiceCgroupsTest: contained)"),
                new MainCfRow(MasterConfig.SERVICE_CPU_MAX, "150%",
                        c -> ServiceViews.cgroupLimits(spec(c, UNIX), c).cpuMax(), "150000 100000",
                        "cpu.max of every service's cgroup"));
    }

    static List<MasterCfRow> masterCfRows() {
        return List.of(
                new MasterCfRow(ServiceSpec.F_SERVICE, UNIX, "b unix - - n - - a",
                        s -> List.of(ServiceViews.policyView(s).id(), ServiceViews.policyView(s).name(), argv(s)),
                        List.of("private/b/unix", "b", List.of("a", "-n", "b", "-t", "unix", "-u")),
                        "identity, log name and -n in argv"),
                new MasterCfRow(ServiceSpec.F_TYPE, UNIX, "a fifo - - n - - a",
                        s -> List.of(ServiceViews.policyView(s).type(), argv(s)),
                        List.of(ServiceType.FIFO, List.of("a", "-t", "fifo", "-u")),
                        "the policy's wakeup type and -t in argv"),
                new MasterCfRow(ServiceSpec.F_PRIVATE, UNIX, "a unix n - n - - a",
                        s -> List.of(ServiceViews.policyView(s).id(), s.socketPath().orElseThrow().toString()),
                        List.of("public/a/unix", "/var/spool/procmaster/public/a"), "identity and socket path"),
                new MasterCfRow(ServiceSpec.F_UNPRIV, UNIX, "a unix - n n - - a",
                        ParameterCompletenessTest::argv, List.of("a", "-t", "unix"), "no -u in argv"),
                new MasterCfRow(ServiceSpec.F_CHROOT, UNIX, "a unix - - y - - a",
                        ParameterCompletenessTest::argv, List.of("a", "-t", "unix", "-u", "-c"), "-c in argv"),
                new MasterCfRow(ServiceSpec.F_WAKEUP, UNIX, "a unix - - n 60? - a",
                        s -> List.of(ServiceViews.policyView(s).wakeupSeconds(),
                                ServiceViews.policyView(s).conditionalWakeup()),
                        List.of(60, true), "the policy's wakeup timer"),
                new MasterCfRow(ServiceSpec.F_MAXPROC, UNIX, "a unix - - n - 1 a",
                        s -> List.of(ServiceViews.policyView(s).maxProc(), s.listenBacklog(), argv(s)),
                        List.of(1, 100, List.of("a", "-l", "-t", "unix", "-u")),
                        "the policy's limit, the backlog (at least default_process_limit) and -l in argv"),
                new MasterCfRow(ServiceSpec.F_COMMAND, UNIX, "a unix - - n - - /opt/bin/b",
                        s -> List.of(spawn(s).path(), spawn(s).argv().get(0), ServiceViews.policyView(s).command()),
                        List.of("/opt/bin/b", "/opt/bin/b", "/opt/bin/b"), "the program and argv[0]"),
                new MasterCfRow(ServiceSpec.F_ARGS, UNIX, "a unix - - n - - a -x { y z } -o name=value",
                        s -> List.of(argv(s), ServiceViews.policyView(s).args()),
                        List.of(List.of("a", "-t", "unix", "-u", "-x", "y z", "-o", "name=value"),
                                List.of("a", "-t", "unix", "-u", "-x", "y z", "-o", "name=value")),
                        "argv after the master's options (an -o the master does not read passes on)"),
                new MasterCfRow(ServiceSpec.F_MIN_IDLE, UNIX, "a unix - - n - - a -o procmaster_min_idle=2",
                        s -> List.of(ServiceViews.policyView(s).minIdle(), argv(s)),
                        List.of(2, List.of("a", "-t", "unix", "-u")),
                        "the policy's prefork minimum, consumed (not in argv)"),
                new MasterCfRow(ServiceSpec.F_MEMORY_MAX, UNIX, "a unix - - n - - a -o service_memory_max=1g",
                        s -> List.of(limits(s).memoryMax(), argv(s)), List.of("1073741824", List.of("a", "-t", "unix", "-u")),
                        "this service's memory.max over main.cf's, consumed (not in argv)"),
                new MasterCfRow(ServiceSpec.F_PIDS_MAX, UNIX, "a unix - - n - - a -o service_pids_max=9",
                        s -> List.of(limits(s).pidsMax(), argv(s)), List.of("9", List.of("a", "-t", "unix", "-u")),
                        "this service's pids.max over main.cf's, consumed"),
                new MasterCfRow(ServiceSpec.F_CPU_MAX, UNIX, "a unix - - n - - a -o service_cpu_max=50%",
                        s -> List.of(limits(s).cpuMax(), argv(s)), List.of("50000 100000", List.of("a", "-t", "unix", "-u")),
                        "this service's cpu.max over main.cf's, consumed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mainCfRows")
    void mainCfParameterLandsWhereItIsUsed(MainCfRow row) throws Exception {
        MasterConfig set = MasterConfig.of(Map.of(row.name(), row.value()));
        assertThat(row.observer().observe(set)).as(row.toString()).isEqualTo(row.expected());
        assertThat(row.observer().observe(MasterConfig.defaults()))
                .as("%s: the default gives a different observation, else the row proves nothing", row.name())
                .isNotEqualTo(row.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("masterCfRows")
    void masterCfFieldLandsWhereItIsUsed(MasterCfRow row) throws Exception {
        MasterConfig c = MasterConfig.defaults();
        assertThat(row.observer().observe(spec(c, row.changed()))).as(row.toString()).isEqualTo(row.expected());
        assertThat(row.observer().observe(spec(c, row.baseline())))
                .as("%s: the baseline gives a different observation, else the row proves nothing", row.field())
                .isNotEqualTo(row.expected());
    }

    @Test
    void everyParameterMasterConfigKnowsHasARow() throws Exception {
        Set<String> known = new TreeSet<>(MasterConfig.defaultValues().keySet());
        known.addAll(stringConstants(MasterConfig.class, ""));
        Set<String> rows = mainCfRows().stream().map(MainCfRow::name).collect(Collectors.toCollection(TreeSet::new));
        assertThat(difference(known, rows)).as("parameters MasterConfig knows that have no row").isEmpty();
        assertThat(difference(rows, known)).as("rows for parameters MasterConfig does not know").isEmpty();
    }

    @Test
    void everyMasterCfFieldHasARow() {
        Set<String> known = new TreeSet<>(stringConstants(ServiceSpec.class, "F_"));
        known.add(ServiceSpec.MIN_IDLE_OPTION);
        Set<String> rows = masterCfRows().stream().map(MasterCfRow::field).collect(Collectors.toCollection(TreeSet::new));
        assertThat(difference(known, rows)).as("master.cf fields ServiceSpec knows that have no row").isEmpty();
        assertThat(difference(rows, known)).as("rows for fields ServiceSpec does not know").isEmpty();
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    /** The values of the public static final String fields of {@code type} whose names start so. */
    private static Set<String> stringConstants(Class<?> type, String prefix) {
        return Arrays.stream(type.getFields())
                .filter(f -> f.getType() == String.class && Modifier.isStatic(f.getModifiers())
                        && Modifier.isFinal(f.getModifiers()) && f.getName().startsWith(prefix))
                .map(ParameterCompletenessTest::value)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String value(Field f) {
        try {
            return (String) f.get(null);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static ServiceSpec spec(MasterConfig c, String entry) throws ConfigException {
        return new MasterCfParser(c).parse("master.cf", entry + "\n").services().get(0);
    }

    private static ServicePolicySpec view(MasterConfig c, String entry) throws ConfigException {
        return ServiceViews.policyView(spec(c, entry));
    }

    private static SpawnSpec spawn(MasterConfig c, String entry) throws ConfigException {
        return spawn(c, spec(c, entry));
    }

    private static SpawnSpec spawn(ServiceSpec s) {
        return spawn(MasterConfig.defaults(), s);
    }

    private static SpawnSpec spawn(MasterConfig c, ServiceSpec s) {
        return ServiceViews.spawnRequest(s, c, ServiceViews.childEnvironment(c, Map.of()), 1, false).build();
    }

    private static io.procmaster.config.CgroupLimits limits(ServiceSpec s) {
        return ServiceViews.cgroupLimits(s, MasterConfig.defaults());
    }

    private static List<String> argv(ServiceSpec s) {
        return spawn(s).argv();
    }

    private static List<String> names(MasterConfig c, String masterCf) throws ConfigException {
        return new MasterCfParser(c).parse("master.cf", masterCf).services().stream().map(ServiceSpec::name).toList();
    }

    private static Object orError(Body body) {
        try {
            return body.get();
        } catch (Exception e) {
            return "error: " + e.getMessage();
        }
    }

    interface Body {
        Object get() throws Exception;
    }
}
