package io.procmaster.policy;

import io.procmaster.config.ServiceType;
import java.util.List;

/**
 * PolicySpecBuilder - the policy tests' way to make a {@link ServicePolicySpec} without a master.cf,
 * with Postfix-like defaults: unix, not stress-eligible, maxproc 100, no wakeup, no prefork. Main code
 * never builds one this way: there the view is derived from the one model in {@code loop.ServiceViews}.
 * Mutable; {@link #build()} may be called more than once.
 */
final class PolicySpecBuilder {
    private final String id;
    private String name;
    private String command;
    private List<String> args = List.of();
    private ServiceType type = ServiceType.UNIX;
    private int maxProc = 100;
    private int wakeupSeconds;
    private boolean conditionalWakeup;
    private boolean remote;
    private Boolean stressEligible;
    private int minIdle;

    PolicySpecBuilder(String id) {
        this.id = id;
        this.name = id;
        this.command = id;
    }

    /** A builder preloaded with {@code spec}, for "the same, but with ..." at reload. */
    static PolicySpecBuilder from(ServicePolicySpec spec) {
        return new PolicySpecBuilder(spec.id()).name(spec.name()).command(spec.command()).args(spec.args())
                .type(spec.type()).maxProc(spec.maxProc()).wakeup(spec.wakeupSeconds(), spec.conditionalWakeup())
                .stressEligible(spec.stressEligible()).minIdle(spec.minIdle());
    }

    PolicySpecBuilder name(String v) { this.name = v; return this; }
    PolicySpecBuilder command(String v) { this.command = v; return this; }
    PolicySpecBuilder args(List<String> v) { this.args = v; return this; }
    PolicySpecBuilder type(ServiceType v) { this.type = v; return this; }
    PolicySpecBuilder maxProc(int v) { this.maxProc = v; return this; }
    PolicySpecBuilder wakeup(int seconds, boolean conditional) {
        this.wakeupSeconds = seconds;
        this.conditionalWakeup = conditional;
        return this;
    }
    /** Stress eligibility as the config model decided it. */
    PolicySpecBuilder stressEligible(boolean v) { this.stressEligible = v; return this; }
    /**
     * Shorthand for a remote-facing inet service: stress-eligible when maxproc &gt; 1, unless
     * {@link #stressEligible(boolean)} says otherwise.
     */
    PolicySpecBuilder publicInet() { this.type = ServiceType.INET; this.remote = true; return this; }
    PolicySpecBuilder minIdle(int v) { this.minIdle = v; return this; }

    ServicePolicySpec build() {
        boolean eligible = stressEligible != null ? stressEligible : remote && maxProc > 1;
        return new ServicePolicySpec(id, name, command, args, type, maxProc, wakeupSeconds,
                conditionalWakeup, eligible, minIdle);
    }
}
