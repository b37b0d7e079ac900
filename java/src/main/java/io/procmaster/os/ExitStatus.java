package io.procmaster.os;

/**
 * How a child ended: an exit code, or the signal that killed it.
 *
 * @param pid      the child's pid
 * @param code     the exit code, or -1 when killed by a signal
 * @param signal   the terminating signal, or 0 when it exited
 * @param coreDump whether the kernel dumped a core
 */
public record ExitStatus(int pid, int code, int signal, boolean coreDump) {
    /** True when the child called exit (with any code). */
    public boolean exited() {
        return signal == 0;
    }

    /** True for exit code 0. */
    public boolean success() {
        return signal == 0 && code == 0;
    }

    @Override
    public String toString() {
        return exited() ? "exit status " + code : "killed by signal " + signal + (coreDump ? " (core dumped)" : "");
    }
}
