package io.procmaster.policy;

/**
 * ChildRecord - the master's belief about one child process (spec Appendix B).
 *
 * <p>Fields: pid, generation (uint32 spawn serial), owning service id, state AVAIL or TAKEN,
 * use_count (TAKEN-to-AVAIL transitions seen), the service's status-channel epoch at spawn (children
 * of an older epoch were told to leave by a channel restart but still count towards the limit), the
 * spawn time, whether it ever reported TAKEN (it served, even if it left before it could report
 * AVAIL again) and the last signal the master sent (so an exit by that signal is not a warning nor
 * a bad startup).
 *
 * <p>Mutable; owned by {@link MasterPolicy} on the loop thread. Failure modes: none.
 */
public final class ChildRecord {

    /** Availability as last reported; a child is AVAIL from birth (docs/postfix-master.md §8.7). */
    public enum State { AVAIL, TAKEN }

    private final int pid;
    private final long generation;
    private final String serviceId;
    private final long epoch;
    private final long spawnedAtNanos;
    private State state = State.AVAIL;
    private int useCount;
    private boolean served;
    private Signal signalSent;

    ChildRecord(int pid, long generation, String serviceId, long epoch, long spawnedAtNanos) {
        this.pid = pid;
        this.generation = generation;
        this.serviceId = serviceId;
        this.epoch = epoch;
        this.spawnedAtNanos = spawnedAtNanos;
    }

    public int pid() { return pid; }
    public long generation() { return generation; }
    public String serviceId() { return serviceId; }
    public long epoch() { return epoch; }
    public long spawnedAtNanos() { return spawnedAtNanos; }
    public State state() { return state; }
    public int useCount() { return useCount; }
    /** Whether the child ever reported TAKEN: it took a connection. */
    public boolean served() { return served; }
    public Signal signalSent() { return signalSent; }

    void state(State s) {
        this.state = s;
        served |= s == State.TAKEN;
    }

    void countUse() {
        if (useCount < Integer.MAX_VALUE) {
            useCount++;
        }
    }

    void signalSent(Signal s) { this.signalSent = s; }

    @Override
    public String toString() {
        return "Child[pid " + pid + " gen " + generation + " " + serviceId + " " + state + " uses " + useCount + "]";
    }
}
