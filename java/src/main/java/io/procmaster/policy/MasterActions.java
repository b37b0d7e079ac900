package io.procmaster.policy;

/**
 * MasterActions - what the policy asks the loop to do; the loop implements it, tests record it.
 *
 * <p>The policy decides, the loop acts: the policy never touches a descriptor or a process. Every
 * call is made on the loop thread. Calls are edge-triggered where that matters: {@link #setListening}
 * is only called when the decision changes.
 *
 * <p>Spawn protocol: {@link #spawn} asks for one child. The loop performs it (synchronously, as the
 * C core does, or later) and reports the outcome with exactly one of
 * {@link MasterPolicy#onSpawned(String, long, int)} or
 * {@link MasterPolicy#onSpawnFailed(String, long, String)}, quoting the generation. Re-entrant
 * reports from inside {@code spawn} are allowed. Until then the child already counts as existing and
 * available, as Postfix counts it from fork. The loop must report {@code onSpawned} before any exit
 * of that pid.
 *
 * <p>Failure modes: an implementation should not throw. If {@code spawn} throws, the policy treats it
 * as a spawn failure (logged, service throttled); other methods throwing propagate, because the
 * policy's state would otherwise disagree with the world without anyone knowing.
 */
public interface MasterActions {

    /**
     * Spawn one child of {@code serviceId}.
     *
     * @param generation the number for {@code GENERATION} (uint32; octal via
     *                   {@link GenerationCounter#toOctal(long)})
     * @param stress     true: the child gets {@code -o stress=yes}; false: the stress-eligible
     *                   child gets {@code -o stress=} (non-eligible services get no stress argument;
     *                   the loop knows which from the config)
     */
    void spawn(String serviceId, long generation, boolean stress);

    /** Start (true) or stop (false) watching the service's listen sockets for readability. */
    void setListening(String serviceId, boolean listening);

    /** Deliver one wakeup: write {@code triggerBytes} the way {@code kind} needs (docs/postfix-master.md §5.3). */
    void sendWakeup(String serviceId, TriggerKind kind, byte[] triggerBytes);

    /** Send {@code signal} to child {@code pid} (through its pidfd). */
    void signal(int pid, Signal signal);

    /**
     * Close and recreate the service's status channel: every current child sees EOF on fd 5 and
     * leaves at its convenience. Used at reload of an existing service and at the start of stress.
     * Listen sockets are kept. Also used when a draining service comes back in a later reload before
     * its children are gone: its channel was closed by {@link #closeStatusChannel}, so "restart"
     * then means "create a new one".
     */
    void restartStatusChannel(String serviceId);

    /** Close the service's status channel for good (service removal started). */
    void closeStatusChannel(String serviceId);

    /** The removed service has no children left: close its listen sockets and forget it. */
    void serviceGone(String serviceId);

    /** After {@link MasterPolicy#shutdown()}: every child is gone, the master may exit now. */
    void allChildrenGone();
}
