package io.procmaster.policy;

import io.procmaster.config.ServiceType;
import java.util.List;

/**
 * ServicePolicySpec - the policy's view of one service: the few attributes of the one service model,
 * {@link io.procmaster.config.ServiceSpec}, that the decisions of docs/postfix-master.md §2–§7 read.
 *
 * <p>It is derived, never parsed: in main code only the loop's adapter ({@code loop.ServiceViews})
 * builds it from a {@code ServiceSpec}, so there is one model from parse to use and one place that
 * maps it. It exists so that the policy can be driven without a configuration file, a queue
 * directory or a process: policy tests build it directly (their test builder).
 *
 * <p>Fields:
 * <ul>
 *   <li>{@code id} - identity: canonical name plus transport type (docs/postfix-master.md §1.1.5),
 *       {@code ServiceSpec.key()} as text. Two specs with the same id are the same service; a changed
 *       id at reload is a removal plus an addition.</li>
 *   <li>{@code name} - external name as written in master.cf, for log lines.</li>
 *   <li>{@code command} - executable path, for log lines ("process &lt;path&gt; pid ...").</li>
 *   <li>{@code args} - argument vector; compared only to detect a changed command at reload
 *       (docs/postfix-master.md §10 W11).</li>
 *   <li>{@code type} - the transport, which decides whether and with which bytes a wakeup is sent
 *       ({@link ServiceType#wakeupTrigger()}).</li>
 *   <li>{@code maxProc} - process limit, 0 = unlimited; validated once, by the model's builder.</li>
 *   <li>{@code wakeupSeconds} - wakeup interval, 0 = none; {@code conditionalWakeup} is the
 *       {@code ?} suffix (ignored when the interval is 0: {@code 0?} means no wakeup).</li>
 *   <li>{@code stressEligible} - the service takes part in stress (docs/postfix-master.md §1.3.5);
 *       the model decides it ({@code ServiceSpec.isStressEligible()}), the policy only reads it.</li>
 *   <li>{@code minIdle} - docs/postfix-master.md §10 W12 prefork: keep at least this many idle
 *       children; 0 = off (default, Postfix behaviour).</li>
 * </ul>
 *
 * <p>The throttle time is not here: it is master-wide, {@link PolicySettings#throttleDelay()}, its one
 * route into the policy.
 *
 * <p>Failure modes: the record accepts anything. maxproc is trusted (the model validated it); null
 * names, command or type and negative wakeup or prefork values are replaced by the policy (see
 * {@link Reconfiguration}), so a bad value can never throw inside the loop.
 */
public record ServicePolicySpec(
        String id,
        String name,
        String command,
        List<String> args,
        ServiceType type,
        int maxProc,
        int wakeupSeconds,
        boolean conditionalWakeup,
        boolean stressEligible,
        int minIdle) {

    public ServicePolicySpec {
        args = args == null ? List.of() : List.copyOf(args);
    }

    /** Whether this spec asks for any wakeup at all. */
    public boolean hasWakeup() {
        return wakeupSeconds > 0;
    }
}
