package io.procmaster.policy;

/**
 * Signal - the signals the policy asks the loop to send to children.
 *
 * <p>Interface: {@link #number()} is the Linux signal number. The loop delivers them with
 * pidfd_send_signal so a reused pid is never hit (docs/postfix-master.md §10 W3/W5).
 *
 * <p>Failure modes: none.
 */
public enum Signal {
    /** Polite request to exit: service removal and shutdown. */
    TERM(15),
    /** Escalation after the drain deadline (docs/postfix-master.md §10 W3). */
    KILL(9);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }
}
