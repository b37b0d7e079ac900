package io.procmaster.os;

/**
 * Starts children: one coarse call across the boundary per spawn.
 *
 * <p>The exec of the program is confirmed before {@link #spawn} returns: a missing program, a
 * non-executable file, a directory, a bad descriptor in the plan or a refused setuid throw a
 * {@link SpawnException} naming the step and the errno text. The cost does not depend on the
 * heap size: no page table is copied (clone3 with CLONE_VM|CLONE_VFORK).
 */
public final class Spawner {
    private Spawner() {
    }

    public static ChildProcess spawn(SpawnSpec spec) throws SpawnException {
        Native.ensureAvailability();
        int[] out = new int[4];
        int mech = switch (spec.mechanism()) {
            case AUTO -> Native.MECH_AUTO;
            case CLONE3 -> Native.MECH_CLONE3;
            case POSIX_SPAWN -> Native.MECH_POSIX_SPAWN;
        };
        int r = Native.spawn0(spec.stringBlock(), spec.argv().size(), spec.environment().size(), spec.fdPairs(),
                spec.flags(), spec.uid(), spec.gid(), spec.groups(), spec.rlimits(), mech, out);
        if (r < 0) {
            throw new SpawnException(Errno.stage(out[2]), spec.path(), -r);
        }
        return new ChildProcess(out[0], out[1], spec.path(),
                out[3] == Native.MECH_CLONE3 ? SpawnSpec.Mechanism.CLONE3 : SpawnSpec.Mechanism.POSIX_SPAWN);
    }
}
