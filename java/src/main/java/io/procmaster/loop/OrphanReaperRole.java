package io.procmaster.loop;

import io.procmaster.log.Logs;
import io.procmaster.os.jni.Native;
import java.io.IOException;
import org.slf4j.Logger;

/**
 * Refuses to start a master in a JVM that the kernel makes the reaper of orphans: PID 1 of its
 * PID namespace (a container's entrypoint, {@code unshare --pid}) or a child subreaper
 * ({@code prctl(PR_SET_CHILD_SUBREAPER)}, which survives the exec of the JVM). Every process
 * orphaned below such a JVM (a daemon's double-forked grandchild, a ProcessBuilder child's
 * background job) is reparented to it and stays a zombie until it is reaped.
 *
 * <p>Why refuse instead of reaping them: the master reaps only its own children, each through its
 * pidfd (docs/DESIGN.md §5.2), so that the JDK's reaper keeps the exit codes of the JVM's
 * ProcessBuilder children. A reaper of "everything that is neither ours nor the JDK's" cannot be
 * told the two apart (docs/containers.md, "Why the JVM does not reap"): a reparented orphan and a
 * ProcessBuilder child are both children of this process with the same parent, process group,
 * session and cgroup; the JDK keeps its set of pids private and records a child only after the
 * fork returned, and native code in the JVM (system(), popen(), a JNI library) starts children
 * nobody records. Taking one of the JDK's turns its {@code Process.waitFor()} into 0 (its waitpid
 * sees ECHILD): measured, 18 of 200 {@code sh -c "exit 7"} came back as 0 beside a waitpid(-1)
 * thread in a JVM that was PID 1. A small init in front of the JVM has none of these problems,
 * since its only child of its own is the JVM: {@code pm-init} (native/init), tini, or
 * {@code docker run --init}.
 *
 * <p>Interface: {@link #refuseIfReaper()} (the facade's {@code Master.start} calls it first), {@link #refusal}
 * (the decision, without the kernel). Failure modes: the refusal is an {@link IOException} whose
 * message says why and what to run instead; when prctl cannot answer (a kernel before 3.4), the
 * subreaper check is skipped and logged at debug level (PID 1 is still checked).
 */
public final class OrphanReaperRole {
    private static final Logger log = Logs.logger(OrphanReaperRole.class);

    private OrphanReaperRole() {
    }

    /** Throws the {@link #refusal} for this process, if there is one. */
    public static void refuseIfReaper() throws IOException {
        Native.ensureAvailability(); // its own error first, not an UnsatisfiedLinkError from the prctl
        int subreaper = Native.childSubreaper0();
        if (subreaper < 0) {
            log.debug("prctl(PR_GET_CHILD_SUBREAPER) failed ({}): the child subreaper check is skipped", subreaper);
        }
        String why = refusal(ProcessHandle.current().pid(), subreaper > 0);
        if (why != null) {
            throw new IOException(why);
        }
    }

    /**
     * Why a master must not start in a process with this pid that is (or is not) a child
     * subreaper, or null when it may.
     */
    static String refusal(long pid, boolean childSubreaper) {
        String role;
        String fix;
        if (pid == 1) {
            role = "this JVM is PID 1 of its PID namespace (a container's entrypoint?)";
            fix = "run it under an init that reaps them: pm-init -- procmaster run ... (pm-init is shipped"
                    + " beside pm-echo), docker run --init, or tini -- procmaster run ...";
        } else if (childSubreaper) {
            role = "this JVM is a child subreaper (prctl PR_SET_CHILD_SUBREAPER was set by whatever exec'd it)";
            fix = "start the JVM from a process that is not a subreaper, or let pm-init -s -- procmaster run ..."
                    + " be the subreaper instead";
        } else {
            return null;
        }
        return "the master refuses to start: " + role + ", so every orphaned process below it is reparented to it"
                + " and would stay a zombie: the master reaps only its own children, through their pidfds, and"
                + " reaping the others (waitpid(-1)) would steal the exit codes of this JVM's ProcessBuilder"
                + " children (their waitFor() would return 0); " + fix + " (docs/containers.md)";
    }
}
