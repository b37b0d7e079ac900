package io.procmaster.policy;

import io.procmaster.config.ServiceType;

/**
 * MasterActions - what the policy asks the loop to do; the loop implements it, tests record it.
 *
 * <p>The policy decides, the loop acts: the policy never touches a descriptor or a process. Every
 * call is made on the loop thread. Calls are edge-triggered where that matters: {@link #setListening}
 * is only called when the decision changes.
 *
 * <p>Spawn: {@link #spawn} starts one child synchronously, as the C core does, and returns its pid
 * or throws {@link SpawnFailure}; the policy records the child itself when the call returns. The
 * loop reports the child's exit later, through {@link MasterPolicy#onChildExit}, never from inside
 * {@code spawn}.
 *
 * <p>Failure modes: {@code spawn} throws {@link SpawnFailure} when no child runs; the policy logs
 * and throttles. Any other exception from {@code spawn}, or a pid that is not positive or already
 * known, is handled the same way and counted. Other methods should not throw; if they do the
 * exception propagates, because the policy's state would otherwise disagree with the world without
 * anyone knowing.
 */
public interface MasterActions {

    /**
     * Spawn one child of {@code serviceId}; returns its pid.
     *
     * @param generation the number for {@code GENERATION} (uint32; octal via
     *                   {@link GenerationCounter#toOctal(long)})
     * @param stress     true: the child gets {@code -o stress=yes}; false: the stress-eligible
     *                   child gets {@code -o stress=} (non-eligible services get no stress argument;
     *                   the loop knows which from the config)
     * @throws SpawnFailure no child was started (or it was reaped already, for an exec failure)
     */
    int spawn(String serviceId, long generation, boolean stress) throws SpawnFailure;

    /** Start (true) or stop (false) watching the service's listen sockets for readability. */
    void setListening(String serviceId, boolean listening);

    /**
     * Deliver one wakeup: write {@code triggerBytes} the way a service of {@code type} needs
     * (docs/postfix-master.md §5.3). False when it was skipped because the previous trigger to the
     * service is still held, not yet taken by the server (§5.8).
     */
    boolean sendWakeup(String serviceId, ServiceType type, byte[] triggerBytes);

    /** Send {@code signal} to child {@code pid} (through its pidfd). */
    void signal(int pid, Signal signal);

    /**
     * The operating system's number for {@code signal}, to recognise a child killed by a signal the
     * master sent: the policy names signals, the mechanism knows their numbers (from the C core).
     */
    int signalNumber(Signal signal);

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

    /**
     * One line for the mail log, in Postfix's master's words ({@link MaillogLines} decides which
     * and how): the loop sends it where Postfix's master logs, or drops it when that is off
     * (docs/postfix-master.md §11.1). Must neither block nor throw. The default drops it: a loop
     * or a fake without a mail log needs nothing.
     */
    default void maillog(MaillogLines.Severity severity, String text) {
    }
}
