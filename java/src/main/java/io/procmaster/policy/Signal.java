package io.procmaster.policy;

/**
 * Signal - the signals the policy asks the loop to send to children, by name.
 *
 * <p>Interface: the constants only. The policy does not know signal numbers (it depends on no
 * operating-system code); the loop maps each name to the number the C core reports
 * ({@link MasterActions#signalNumber}) and delivers it with pidfd_send_signal, so a reused pid is
 * never hit (docs/postfix-master.md §10 W3/W5).
 *
 * <p>Failure modes: none.
 */
public enum Signal {
    /** Polite request to exit: service removal and shutdown. */
    TERM,
    /** Escalation after the drain deadline (docs/postfix-master.md §10 W3). */
    KILL
}
