package io.procmaster.policy;

/**
 * ChildExit - how a reaped child ended, as the loop reads it from waitid(P_PIDFD).
 *
 * <p>Interface: {@link #exited(int)}, {@link #killed(int)}, {@link #stopped(int)};
 * {@link #isNormal()} is true only for exit status 0, the one ending that never throttles
 * (docs/postfix-master.md §3.5). {@link #describe()} gives the Postfix log wording ("exit status 1",
 * "killed by signal 11").
 *
 * <p>Failure modes: none; odd values (negative codes, signal 0) are kept as given and simply count
 * as abnormal, so the policy logs them rather than losing them.
 */
public record ChildExit(Kind kind, int value) {

    /** Exit kinds. STOPPED is reported only by buggy kernels; the record is kept. */
    public enum Kind { EXITED, KILLED, STOPPED }

    public ChildExit {
        if (kind == null) {
            kind = Kind.EXITED;
            value = -1; // unknown: abnormal, so it is logged and can throttle
        }
    }

    public static ChildExit exited(int status) {
        return new ChildExit(Kind.EXITED, status);
    }

    public static ChildExit killed(int signal) {
        return new ChildExit(Kind.KILLED, signal);
    }

    public static ChildExit stopped(int signal) {
        return new ChildExit(Kind.STOPPED, signal);
    }

    /** Exit status 0: idle timeout, max_use, master disconnect, or a daemon quitting at once. */
    public boolean isNormal() {
        return kind == Kind.EXITED && value == 0;
    }

    /** Postfix log wording for the ending. */
    public String describe() {
        return switch (kind) {
            case EXITED -> "exit status " + value;
            case KILLED -> "killed by signal " + value;
            case STOPPED -> "stopped by signal " + value;
        };
    }
}
