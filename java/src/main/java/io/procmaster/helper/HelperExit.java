package io.procmaster.helper;

/**
 * How a helper process ended, as reported by the reaper ({@code waitid(P_PIDFD)}).
 *
 * <p>Exactly one of {@code exitCode} (&ge; 0, normal exit) or {@code signal} (&gt; 0, killed by a signal)
 * is meaningful; the other is -1. {@link #UNKNOWN} is for a helper whose status could not be collected.
 */
public record HelperExit(int exitCode, int signal) {
    public static final HelperExit UNKNOWN = new HelperExit(-1, -1);

    public static HelperExit exited(int code) {
        return new HelperExit(code, -1);
    }

    public static HelperExit killed(int signal) {
        return new HelperExit(-1, signal);
    }

    @Override
    public String toString() {
        if (signal > 0) return "killed by signal " + signal;
        if (exitCode >= 0) return "exit status " + exitCode;
        return "unknown exit status";
    }
}
