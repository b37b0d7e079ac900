package io.procmaster.loop;

import io.procmaster.os.StatusFlags;
import io.procmaster.policy.MasterPolicy;

/**
 * Hands one status packet, as the C loop delivers it (the record's pid, generation and status,
 * the kernel's sender pid, the loop's flags and the packet length), to the policy.
 *
 * <p>Interface: {@link #deliver}, loop thread only; used by {@link MasterLoop} for every status
 * channel and by the status-record fuzz test, so both take the same path.
 *
 * <p>Rules: a malformed packet (not exactly one record) goes to
 * {@link MasterPolicy#onMalformedStatus}; any other to {@link MasterPolicy#onStatus}, with the
 * sender pid dropped (0) when the packet came without credentials, and the generation taken as
 * the unsigned 32-bit number the child wrote. Forged and foreign records are judged by the policy.
 *
 * <p>Failure modes: none of its own; the policy counts and logs what it rejects.
 */
public final class StatusPackets {
    private StatusPackets() {
    }

    /** Delivers one packet of {@code serviceId}'s status channel to {@code policy}. */
    public static void deliver(MasterPolicy policy, String serviceId, int pid, int generation, int status,
                               int senderPid, int flags, int length) {
        if (StatusFlags.malformed(flags)) {
            policy.onMalformedStatus(serviceId, senderPid, length);
        } else {
            policy.onStatus(serviceId, StatusFlags.noCredentials(flags) ? 0 : senderPid, pid,
                    generation & 0xffffffffL, status);
        }
    }
}
