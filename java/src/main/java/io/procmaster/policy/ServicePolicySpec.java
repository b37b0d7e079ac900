package io.procmaster.policy;

import java.util.List;

/**
 * ServicePolicySpec - what the policy needs to know about one service; the policy's own input.
 *
 * <p>This is deliberately not the config model: the config layer maps its parsed master.cf entry to
 * this record (one line of glue), so the two can change independently.
 *
 * <p>Fields:
 * <ul>
 *   <li>{@code id} - identity: canonical name plus transport type (docs/postfix-master.md §1.1.5). Two specs with the
 *       same id are the same service; a changed id at reload is a removal plus an addition.</li>
 *   <li>{@code name} - external name as written in master.cf, for log lines.</li>
 *   <li>{@code command} - executable path, for log lines ("process &lt;path&gt; pid ...").</li>
 *   <li>{@code args} - argument vector; compared only to detect a changed command at reload (docs/postfix-master.md §10 W11).</li>
 *   <li>{@code kind} - transport type, which decides the wakeup trigger bytes.</li>
 *   <li>{@code maxProc} - process limit, 0 = unlimited.</li>
 *   <li>{@code wakeupSeconds} - wakeup interval, 0 = none; {@code conditionalWakeup} is the
 *       {@code ?} suffix (ignored when the interval is 0: {@code 0?} means no wakeup).</li>
 *   <li>{@code stressEligible} - the service takes part in stress: remote-facing (not unix,
 *       unix-dgram, fifo, pass, nor inet on loopback only) and maxproc above 1. The config model
 *       decides it (ServiceSpec.isStressEligible); the policy only reads it.</li>
 *   <li>{@code minIdle} - docs/postfix-master.md §10 W12 prefork: keep at least this many idle children; 0 = off (default,
 *       Postfix behaviour).</li>
 * </ul>
 *
 * <p>The throttle time is not here: it is master-wide, {@link PolicySettings#throttleDelay()}.
 *
 * <p>Failure modes: the record accepts anything. maxproc is trusted (the config model validated
 * it); null names, command or kind and negative wakeup or prefork values are replaced by the policy
 * (see {@link Reconfiguration}), so a bad value can never throw inside the loop.
 */
public record ServicePolicySpec(
        String id,
        String name,
        String command,
        List<String> args,
        TriggerKind kind,
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

    /** A builder with Postfix-like defaults: unix, not stress-eligible, maxproc 100, no wakeup, no prefork. */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** A builder preloaded with this spec, for "the same, but with ..." at reload. */
    public Builder toBuilder() {
        return new Builder(id).name(name).command(command).args(args).kind(kind).maxProc(maxProc)
                .wakeup(wakeupSeconds, conditionalWakeup).stressEligible(stressEligible).minIdle(minIdle);
    }

    /** Mutable builder; {@link #build()} may be called more than once. */
    public static final class Builder {
        private final String id;
        private String name;
        private String command;
        private List<String> args = List.of();
        private TriggerKind kind = TriggerKind.UNIX;
        private int maxProc = 100;
        private int wakeupSeconds;
        private boolean conditionalWakeup;
        private boolean remote;
        private Boolean stressEligible;
        private int minIdle;

        private Builder(String id) {
            this.id = id;
            this.name = id;
            this.command = id;
        }

        public Builder name(String v) { this.name = v; return this; }
        public Builder command(String v) { this.command = v; return this; }
        public Builder args(List<String> v) { this.args = v; return this; }
        public Builder kind(TriggerKind v) { this.kind = v; return this; }
        public Builder maxProc(int v) { this.maxProc = v; return this; }
        public Builder wakeup(int seconds, boolean conditional) {
            this.wakeupSeconds = seconds;
            this.conditionalWakeup = conditional;
            return this;
        }
        /** Stress eligibility as the config model decided it. */
        public Builder stressEligible(boolean v) { this.stressEligible = v; return this; }
        /**
         * Shorthand for a remote-facing inet service: stress-eligible when maxproc &gt; 1, unless
         * {@link #stressEligible(boolean)} says otherwise.
         */
        public Builder publicInet() { this.kind = TriggerKind.INET; this.remote = true; return this; }
        public Builder minIdle(int v) { this.minIdle = v; return this; }

        public ServicePolicySpec build() {
            boolean eligible = stressEligible != null ? stressEligible : remote && maxProc > 1;
            return new ServicePolicySpec(id, name, command, args, kind, maxProc, wakeupSeconds,
                    conditionalWakeup, eligible, minIdle);
        }
    }
}
