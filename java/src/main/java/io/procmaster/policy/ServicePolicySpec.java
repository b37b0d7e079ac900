package io.procmaster.policy;

import java.time.Duration;
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
 *   <li>{@code localOnly} - unix/unix-dgram/fifo, or inet on loopback only; such services are
 *       never stress-eligible (docs/postfix-master.md §1.3.4-1.3.5).</li>
 *   <li>{@code minIdle} - docs/postfix-master.md §10 W12 prefork: keep at least this many idle children; 0 = off (default,
 *       Postfix behaviour).</li>
 *   <li>{@code throttleDelay} - service_throttle_time captured at parse time; null = the master's
 *       {@link PolicySettings#throttleDelay()}.</li>
 * </ul>
 *
 * <p>Failure modes: the record accepts anything; the policy sanitizes when a spec is added or
 * reloaded (negative counts and null names are logged, counted and replaced), so a bad value can
 * never throw inside the loop.
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
        boolean localOnly,
        int minIdle,
        Duration throttleDelay) {

    public ServicePolicySpec {
        args = args == null ? List.of() : List.copyOf(args);
    }

    /** Stress-eligible: remote-facing and maxproc above 1 (unlimited is not eligible). */
    public boolean stressEligible() {
        return !localOnly && maxProc > 1;
    }

    /** Whether this spec asks for any wakeup at all. */
    public boolean hasWakeup() {
        return wakeupSeconds > 0;
    }

    /** A builder with Postfix-like defaults: unix, local, maxproc 100, no wakeup, no prefork. */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** A builder preloaded with this spec, for "the same, but with ..." at reload. */
    public Builder toBuilder() {
        return new Builder(id).name(name).command(command).args(args).kind(kind).maxProc(maxProc)
                .wakeup(wakeupSeconds, conditionalWakeup).localOnly(localOnly).minIdle(minIdle)
                .throttleDelay(throttleDelay);
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
        private boolean localOnly = true;
        private int minIdle;
        private Duration throttleDelay;

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
        public Builder localOnly(boolean v) { this.localOnly = v; return this; }
        /** Shorthand for a remote-facing inet service (stress-eligible when maxproc &gt; 1). */
        public Builder publicInet() { this.kind = TriggerKind.INET; this.localOnly = false; return this; }
        public Builder minIdle(int v) { this.minIdle = v; return this; }
        public Builder throttleDelay(Duration v) { this.throttleDelay = v; return this; }

        public ServicePolicySpec build() {
            return new ServicePolicySpec(id, name, command, args, kind, maxProc, wakeupSeconds,
                    conditionalWakeup, localOnly, minIdle, throttleDelay);
        }
    }
}
