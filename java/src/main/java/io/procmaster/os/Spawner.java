package io.procmaster.os;

import io.procmaster.os.jni.Native;


/**
 * Starts children: one coarse call across the boundary per spawn.
 *
 * <p>The exec of the program is confirmed before {@link #spawn} returns: a missing program, a
 * non-executable file, a directory, a bad descriptor in the plan or a refused setuid throw a
 * {@link SpawnException} naming the step (for the descriptor plan, the very operation) and the
 * errno text. The cost does not depend on the
 * heap size: no page table is copied (clone3 with CLONE_VM|CLONE_VFORK).
 */
public final class Spawner {
    private Spawner() {
    }

    /** Spawns a child as {@code spec} says and returns it once the exec succeeded; throws {@link SpawnException} naming the failed step and the errno otherwise. */
    public static ChildProcess spawn(SpawnSpec spec) throws SpawnException {
        Native.ensureAvailability();
        int[] out = new int[7];
        int mech = switch (spec.mechanism()) {
            case AUTO -> Native.MECH_AUTO;
            case CLONE3 -> Native.MECH_CLONE3;
            case POSIX_SPAWN -> Native.MECH_POSIX_SPAWN;
        };
        int cgroupFd = -1;
        if (spec.cgroup() != null) {
            cgroupFd = spec.cgroup().intValue();
            if (cgroupFd < 0) { // closed: spawning outside the cgroup would be silent loss of containment
                throw new SpawnException("cgroup", null, spec.path(), Native.EBADF);
            }
        }
        int r = Native.spawn0(spec.stringBlock(), spec.argv().size(), spec.environment().size(), spec.fdPairs(),
                spec.flags(), spec.uid(), spec.gid(), spec.groups(), spec.rlimits(), mech, cgroupFd, out);
        if (r < 0) {
            throw new SpawnException(Errno.stage(out[2]), failedOperation(out), spec.path(), -r);
        }
        return new ChildProcess(out[0], out[1], spec.path(),
                out[3] == Native.MECH_CLONE3 ? SpawnSpec.Mechanism.CLONE3 : SpawnSpec.Mechanism.POSIX_SPAWN);
    }

    /**
     * The descriptor operation that failed, as the C side reports it at the fd-plan stage
     * ({@code dup2 7 -> 6}, or {@code fcntl 5 F_SETFD 0} for clearing FD_CLOEXEC), else null.
     */
    private static String failedOperation(int[] out) {
        if (out[2] != Native.STAGE_FDPLAN) {
            return null;
        }
        if (out[4] == Native.FDOP_DUP2) {
            return "dup2 " + out[5] + " -> " + out[6];
        }
        if (out[4] == Native.FDOP_CLEAR_CLOEXEC) {
            return "fcntl " + out[5] + " F_SETFD 0";
        }
        return null; // posix_spawn's file actions do not say which one failed
    }
}
