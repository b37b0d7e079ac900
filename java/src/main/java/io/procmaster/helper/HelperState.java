package io.procmaster.helper;

/**
 * Life of one helper in a pool. READY takes requests; DRAINING (retired by shutdown or reconfigure)
 * finishes what it holds and is then closed; CLOSING means close/kill was requested or its output
 * ended, and the pool waits for its exit; EXITED is final.
 */
public enum HelperState {
    /** Takes requests. */
    READY,
    /** Retired by shutdown or reconfigure: finishes what it holds, then is closed. */
    DRAINING,
    /** Close or kill requested, or its output ended: the pool waits for its exit. */
    CLOSING,
    /** Exited and reaped; final. */
    EXITED
}
