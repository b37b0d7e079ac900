package io.procmaster.os;


/**
 * Receives the records of one {@link EventLoopCore#poll}, on the polling thread, in order.
 * Tags are the caller's registration tags (24 bits), echoed back so that a record for a
 * descriptor number closed and reused within one batch can be told from its new owner's.
 */
public interface EventSink {
    /** The wait is over: called once per poll, before its {@code records} records (possibly none). */
    default void onWaitOver(int records) {
    }

    /** Another thread called {@link EventLoopCore#wakeup()}. */
    default void onWakeup() {
    }

    /** A child registered with its pidfd exited and has been reaped; the pidfd is still open. */
    default void onExit(int pidfd, int tag, ExitStatus status) {
    }

    /**
     * One packet from a status channel. {@code senderPid} is the kernel's word (SO_PASSCRED);
     * see {@link StatusFlags} for forged and malformed packets; {@code length} is the packet size.
     */
    default void onStatus(int fd, int tag, int pid, int generation, int status, int senderPid, int flags,
                          int length) {
    }

    /** A plain descriptor is ready; {@code events} are epoll bits. */
    default void onReady(int fd, int tag, int events) {
    }

    /** A status channel's other end is gone; it has left the set. */
    default void onHup(int fd, int tag) {
    }
}
