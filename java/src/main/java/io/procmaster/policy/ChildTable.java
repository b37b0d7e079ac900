package io.procmaster.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * ChildTable - the master's children by pid, with an {@code int} key: the lookup that every status
 * record makes ({@link MasterPolicy#onStatus}) allocates nothing, where a {@code HashMap<Integer, ...>}
 * boxes each pid (pids are above the {@code Integer} cache) and so allocated 16 bytes per record
 * (issue 11, BENCHMARKS.md §5, {@code MasterStatusPath}).
 *
 * <p>Interface: {@link #get}, {@link #containsKey}, {@link #put}, {@link #remove}, {@link #size},
 * {@link #isEmpty}, {@link #values} (a copy, so callers may change the table while walking it), as
 * the map it replaces. Open addressing with linear probing over a power-of-two array, at most half
 * full (it doubles when it would be more); removal shifts the following entries of the cluster back
 * (no tombstones), so a lookup never walks more than one cluster and the table never fills with
 * dead slots. It never shrinks: its size follows the largest number of children the master has had
 * at once, which the services' process limits bound.
 *
 * <p>Failure modes: pids are positive (the policy checks before {@link #put}); {@link #get} and
 * {@link #remove} of a pid that is not positive answer null, {@link #put} of one throws
 * IllegalArgumentException. Not thread-safe: the loop thread owns it, as the whole policy.
 */
final class ChildTable {
    private static final int MIN_CAPACITY = 64;

    private int[] pids = new int[MIN_CAPACITY]; // 0 = empty slot
    private ChildRecord[] records = new ChildRecord[MIN_CAPACITY];
    private int size;

    /** The record of {@code pid}, or null. */
    ChildRecord get(int pid) {
        if (pid <= 0) {
            return null;
        }
        int mask = pids.length - 1;
        for (int i = slot(pid, mask); ; i = (i + 1) & mask) {
            int p = pids[i];
            if (p == pid) {
                return records[i];
            }
            if (p == 0) {
                return null;
            }
        }
    }

    boolean containsKey(int pid) {
        return get(pid) != null;
    }

    /** Records {@code r} under {@code pid}, replacing any record there; returns the one replaced, or null. */
    ChildRecord put(int pid, ChildRecord r) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid " + pid);
        }
        if (2 * (size + 1) > pids.length) {
            grow();
        }
        int mask = pids.length - 1;
        int i = slot(pid, mask);
        while (pids[i] != 0) {
            if (pids[i] == pid) {
                ChildRecord old = records[i];
                records[i] = r;
                return old;
            }
            i = (i + 1) & mask;
        }
        pids[i] = pid;
        records[i] = r;
        size++;
        return null;
    }

    /** Forgets {@code pid}; returns its record, or null if there was none. */
    ChildRecord remove(int pid) {
        if (pid <= 0) {
            return null;
        }
        int mask = pids.length - 1;
        int i = slot(pid, mask);
        while (pids[i] != pid) {
            if (pids[i] == 0) {
                return null;
            }
            i = (i + 1) & mask;
        }
        ChildRecord old = records[i];
        // Backward shift: move each later entry of the cluster into the hole if its home slot is
        // not between the hole and it (cyclically), so every entry stays reachable from its home.
        int hole = i;
        for (int j = (i + 1) & mask; pids[j] != 0; j = (j + 1) & mask) {
            int home = slot(pids[j], mask);
            boolean reachableWithoutHole = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!reachableWithoutHole) {
                pids[hole] = pids[j];
                records[hole] = records[j];
                hole = j;
            }
        }
        pids[hole] = 0;
        records[hole] = null;
        size--;
        return old;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** A copy of the records, in no particular order. */
    List<ChildRecord> values() {
        List<ChildRecord> out = new ArrayList<>(size);
        for (ChildRecord r : records) {
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    private void grow() {
        int[] oldPids = pids;
        ChildRecord[] oldRecords = records;
        pids = new int[oldPids.length * 2];
        records = new ChildRecord[oldPids.length * 2];
        size = 0;
        for (int k = 0; k < oldPids.length; k++) {
            if (oldPids[k] != 0) {
                put(oldPids[k], oldRecords[k]);
            }
        }
    }

    /** The home slot of {@code pid}: consecutive pids (the common case) spread by a multiplicative hash. */
    private static int slot(int pid, int mask) {
        int h = pid * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
