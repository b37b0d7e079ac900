package io.procmaster.loop;

import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.os.SpawnSpec;
import io.procmaster.policy.GenerationCounter;
import io.procmaster.policy.PolicySettings;
import io.procmaster.policy.ServicePolicySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * ServiceViews - the one adapter from the configuration model to what the policy and the os are
 * given: a service has one model, {@link ServiceSpec} (immutable, from master.cf), and every other
 * form of it is derived here and nowhere else.
 *
 * <p>Interface (static, pure: no descriptor, no process, so the completeness test observes every
 * parameter through it):
 * <ul>
 *   <li>{@link #id} - the service's identity as the policy and the loop key it: {@code key()} as text
 *       (docs/postfix-master.md §1.1.5).</li>
 *   <li>{@link #policyView} - the {@link ServicePolicySpec} the policy decides on.</li>
 *   <li>{@link #policySettings} - the master-wide main.cf parameters the policy reads, the one route of
 *       each into {@link PolicySettings} (throttle, back-off cap, spawn rate, stress window, busy
 *       warning, drain time).</li>
 *   <li>{@link #spawnRequest} - the os spawn request for one child (docs/postfix-master.md §3.1): program,
 *       argv in Postfix's order ({@link ServiceSpec#childArgv}), the {@code import_environment}
 *       variables plus {@code GENERATION} in octal, working directory {@code queue_directory}. The
 *       loop adds the descriptors (fds 3..), which only it has.</li>
 *   <li>{@link #childEnvironment} - the children's environment, {@code import_environment} resolved
 *       against the master's own once, at start; in a Postfix instance with what Postfix's master
 *       exports ({@link PostfixChildren}).</li>
 * </ul>
 * The listen backlog is read from the model directly by {@link ServiceDescriptors}
 * ({@link ServiceSpec#listenBacklog()}).
 *
 * <p>Why a child starts in {@code queue_directory}: Postfix's master chdirs there, and the stock
 * daemons open their lock file {@code pid/<type>.<name>} relative to the directory they inherit.
 *
 * <p>Failure modes: none of its own; the model was validated when it was built. A value
 * {@link SpawnSpec.Builder} refuses (a NUL in an imported variable) throws
 * {@link IllegalArgumentException} from {@code build}, as before.
 */
final class ServiceViews {

    private ServiceViews() {
    }

    /** The policy's and the loop's key of the service: {@code <canonical>/<type>}. */
    static String id(ServiceSpec spec) {
        return spec.key().toString();
    }

    /** What the policy knows of {@code spec}. */
    static ServicePolicySpec policyView(ServiceSpec spec) {
        return new ServicePolicySpec(
                id(spec),
                spec.name(),
                spec.executable().toString(),
                spec.childArgv(false, false, false),
                spec.type(),
                spec.maxProc(),
                spec.wakeupSeconds(),
                spec.isWakeupConditional(),
                spec.isStressEligible(),
                spec.minIdle());
    }

    /** The policy's view of each service, in order ({@link #policyView}). */
    static List<ServicePolicySpec> policyViews(Collection<ServiceSpec> specs) {
        List<ServicePolicySpec> out = new ArrayList<>();
        specs.forEach(spec -> out.add(policyView(spec)));
        return out;
    }

    /**
     * Policy settings from main.cf parameters: Postfix's fixed behaviour, with procmaster's back-off
     * cap and spawn rate (per second; docs/postfix-master.md §10, gaps in throttling) as configured.
     */
    static PolicySettings policySettings(MasterConfig config) {
        return PolicySettings.postfixCompatible()
                .withThrottle(config.serviceThrottleTime(), config.throttleMaxTime())
                .withSpawnRateLimit(config.spawnRateLimit(), Duration.ofSeconds(1))
                .withWindows(config.stressWindowTime(), config.busyWarningTime())
                .withDrainTime(config.serviceDrainTime());
    }

    /** The variables every child gets besides {@code GENERATION}, from the master's {@code parent} environment. */
    static Map<String, String> childEnvironment(MasterConfig config, Map<String, String> parent) {
        // import_environment, plus in a Postfix instance what Postfix's master exports (§3.1.1);
        // never systemd's notify and socket-activation variables: they are the master's alone
        // (docs/systemd.md, docs/socket-activation.md), whatever import_environment says
        Map<String, String> env = NotifyEnvironment.withoutNotifyVariables(PostfixChildren.environment(config, parent));
        env.keySet().removeAll(ListenFds.VARIABLES);
        return env;
    }

    /**
     * The spawn request of one child of {@code spec}, without descriptors.
     *
     * @param environment the children's environment, {@link #childEnvironment}
     * @param generation  the child's generation ({@code GENERATION}, octal)
     * @param stress      the child is spawned during a stress period
     */
    static SpawnSpec.Builder spawnRequest(ServiceSpec spec, MasterConfig config, Map<String, String> environment,
                                          long generation, boolean stress) {
        return SpawnSpec.builder(spec.executable().toAbsolutePath().toString())
                .argv(spec.childArgv(false, false, stress))
                .cwd(config.queueDirectory().toString())
                .env(environment)
                .env("GENERATION", GenerationCounter.toOctal(generation));
    }

    /**
     * The limits written to a service's cgroup (docs/cgroups.md): its master.cf {@code -o
     * service_*_max} where given, else main.cf's.
     */
    static io.procmaster.config.CgroupLimits cgroupLimits(ServiceSpec spec, MasterConfig config) {
        return spec.cgroupLimits().over(config.cgroupLimits());
    }
}
