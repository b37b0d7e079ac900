package io.procmaster.policy;

import io.procmaster.config.ServiceType;
import io.procmaster.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * RecordingActions - a fake loop for policy tests: records every {@link MasterActions} call in
 * order; each spawn returns the next fake pid (or {@link #nextResult} once, when set), or throws a
 * {@link SpawnFailure} when one was queued. {@link #afterSpawn} runs for each new child once the
 * policy has recorded it ({@link #settle()}, called by the harness between events), as a real child
 * can only die after the spawn returned.
 */
class RecordingActions implements MasterActions {

    enum Type { SPAWN, LISTEN, WAKEUP, SIGNAL, RESTART_CHANNEL, CLOSE_CHANNEL, GONE, ALL_GONE }

    /** One recorded call; unused fields are null. */
    record Call(Type type, String service, Long generation, Boolean flag, Integer pid, Signal signal, byte[] bytes) {
        @Override
        public String toString() {
            return switch (type) {
                case SPAWN -> "spawn(" + service + ", gen " + generation + (flag ? ", stress" : "") + ")";
                case LISTEN -> "listen(" + service + ", " + flag + ")";
                case WAKEUP -> "wakeup(" + service + ")";
                case SIGNAL -> "signal(" + pid + ", " + signal + ")";
                case RESTART_CHANNEL -> "restartChannel(" + service + ")";
                case CLOSE_CHANNEL -> "closeChannel(" + service + ")";
                case GONE -> "gone(" + service + ")";
                case ALL_GONE -> "allGone()";
            };
        }
    }

    final List<Call> calls = new ArrayList<>();
    /** The mail-log lines the policy asked for, as {@code "WARNING process ..."}; kept apart from {@link #calls}. */
    final List<String> maillog = new ArrayList<>();
    int nextPid = 1000;
    String failNextSpawnWith;
    /** Returned once by the next spawn instead of a fresh pid (a bad loop), then cleared. */
    Integer nextResult;
    private final List<Integer> born = new ArrayList<>();
    final List<Integer> spawnedPids = new ArrayList<>();
    /** Clock readings at each spawn call (set by the harness). */
    final List<Long> spawnTimes = new ArrayList<>();
    Clock clock;
    /** Runs after a successful auto spawn, e.g. to make the child die at once. */
    java.util.function.IntConsumer afterSpawn = pid -> { };

    @Override
    public int spawn(String serviceId, long generation, boolean stress) throws SpawnFailure {
        calls.add(new Call(Type.SPAWN, serviceId, generation, stress, null, null, null));
        if (clock != null) {
            spawnTimes.add(clock.nanoTime());
        }
        if (failNextSpawnWith != null) {
            String err = failNextSpawnWith;
            failNextSpawnWith = null;
            throw new SpawnFailure(err.startsWith("exec") ? SpawnFailure.Kind.EXEC : SpawnFailure.Kind.FORK, err);
        }
        if (nextResult != null) {
            int r = nextResult;
            nextResult = null;
            return r;
        }
        int pid = nextPid++;
        spawnedPids.add(pid);
        born.add(pid);
        return pid;
    }

    /** Runs {@link #afterSpawn} for the children spawned since the last call. */
    void settle() {
        while (!born.isEmpty()) {
            afterSpawn.accept(born.remove(0));
        }
    }

    @Override
    public void setListening(String serviceId, boolean listening) {
        calls.add(new Call(Type.LISTEN, serviceId, null, listening, null, null, null));
    }

    @Override
    public boolean sendWakeup(String serviceId, ServiceType type, byte[] triggerBytes) {
        calls.add(new Call(Type.WAKEUP, serviceId, null, null, null, null, triggerBytes));
        return true;
    }

    @Override
    public void signal(int pid, Signal signal) {
        calls.add(new Call(Type.SIGNAL, null, null, null, pid, signal, null));
    }

    /** Linux's numbers, as the tests' ChildExit.killed(15) and killed(9) use them. */
    @Override
    public int signalNumber(Signal signal) {
        return switch (signal) {
            case TERM -> 15;
            case KILL -> 9;
        };
    }

    @Override
    public void restartStatusChannel(String serviceId) {
        calls.add(new Call(Type.RESTART_CHANNEL, serviceId, null, null, null, null, null));
    }

    @Override
    public void closeStatusChannel(String serviceId) {
        calls.add(new Call(Type.CLOSE_CHANNEL, serviceId, null, null, null, null, null));
    }

    @Override
    public void serviceGone(String serviceId) {
        calls.add(new Call(Type.GONE, serviceId, null, null, null, null, null));
    }

    @Override
    public void maillog(MaillogLines.Severity severity, String text) {
        maillog.add(severity + " " + text);
    }

    @Override
    public void allChildrenGone() {
        calls.add(new Call(Type.ALL_GONE, null, null, null, null, null, null));
    }

    List<Call> of(Type type) {
        return calls.stream().filter(c -> c.type() == type).toList();
    }

    List<Call> of(Type type, String service) {
        return calls.stream().filter(c -> c.type() == type && service.equals(c.service())).toList();
    }

    List<Call> matching(Predicate<Call> p) {
        return calls.stream().filter(p).toList();
    }

    int spawnCount(String service) {
        return of(Type.SPAWN, service).size();
    }

    int wakeupCount(String service) {
        return of(Type.WAKEUP, service).size();
    }

    List<Call> signals() {
        return of(Type.SIGNAL);
    }

    int mark() {
        return calls.size();
    }

    List<Call> since(int mark) {
        return List.copyOf(calls.subList(mark, calls.size()));
    }
}
