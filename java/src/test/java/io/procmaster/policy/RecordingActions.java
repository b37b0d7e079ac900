package io.procmaster.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * RecordingActions - a fake loop for policy tests: records every {@link MasterActions} call in
 * order, and in auto mode completes each spawn at once (re-entrantly, as the synchronous C core
 * would) with the next fake pid, or fails it when a failure was queued.
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
    MasterPolicy policy;
    boolean autoSpawn = true;
    int nextPid = 1000;
    String failNextSpawnWith;
    final List<Integer> spawnedPids = new ArrayList<>();
    /** Clock readings at each spawn call (set by the harness). */
    final List<Long> spawnTimes = new ArrayList<>();
    Clock clock;
    /** Runs after a successful auto spawn, e.g. to make the child die at once. */
    java.util.function.IntConsumer afterSpawn = pid -> { };

    @Override
    public void spawn(String serviceId, long generation, boolean stress) {
        calls.add(new Call(Type.SPAWN, serviceId, generation, stress, null, null, null));
        if (clock != null) {
            spawnTimes.add(clock.nanoTime());
        }
        if (!autoSpawn) {
            return;
        }
        if (failNextSpawnWith != null) {
            String err = failNextSpawnWith;
            failNextSpawnWith = null;
            policy.onSpawnFailed(serviceId, generation, err);
            return;
        }
        int pid = nextPid++;
        spawnedPids.add(pid);
        policy.onSpawned(serviceId, generation, pid);
        afterSpawn.accept(pid);
    }

    @Override
    public void setListening(String serviceId, boolean listening) {
        calls.add(new Call(Type.LISTEN, serviceId, null, listening, null, null, null));
    }

    @Override
    public void sendWakeup(String serviceId, TriggerKind kind, byte[] triggerBytes) {
        calls.add(new Call(Type.WAKEUP, serviceId, null, null, null, null, triggerBytes));
    }

    @Override
    public void signal(int pid, Signal signal) {
        calls.add(new Call(Type.SIGNAL, null, null, null, pid, signal, null));
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
