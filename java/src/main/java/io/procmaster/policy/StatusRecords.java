package io.procmaster.policy;

import org.slf4j.event.Level;

/**
 * StatusRecords - judges what arrives on a service's status channel (docs/postfix-master.md §4.2, W1, W2) before the
 * policy acts on it.
 *
 * <p>Interface: {@link #judge} takes one complete record with the master's record of the child it
 * names, and answers the availability to move that child to, or null when the record is to be
 * ignored: forged (the kernel's sender is not the pid written in it), from a pid the master does
 * not know, of another generation, for another service's child, with an unknown status value, or
 * redundant. {@link #malformed} and {@link #readError} handle a record of the wrong size and a
 * failed read. Every rejection is counted in the service's {@link ServiceCounters}, exactly, and
 * logged through the {@link LogLimiter}, so a hostile child cannot flood the log.
 *
 * <p>Failure modes: none; no input makes it throw. Loop thread only, as the policy.
 */
final class StatusRecords {

    static final int STATUS_TAKEN = 0;
    static final int STATUS_AVAIL = 1;

    private final LogLimiter log;

    StatusRecords(LogLimiter log) {
        this.log = log;
    }

    /**
     * The state the record moves child {@code r} to, or null if it is ignored (counted and logged).
     *
     * @param r         the master's record of {@code pid}, or null if it has none
     * @param senderPid the kernel's word on the sender; 0 or negative if unknown
     */
    ChildRecord.State judge(ServiceState s, ChildRecord r, int senderPid, int pid, long generation, int status) {
        if (senderPid > 0 && senderPid != pid) {
            s.counters.forgedRecords++;
            log.log(s.label(), LogLimiter.Kind.FORGED_RECORD, Level.WARN,
                    "{}: status record claims pid {} but was sent by pid {} -- ignored", s.label(), pid, senderPid);
            return null;
        }
        if (r == null) {
            // Normal: a child reaped before its last record was read, or a draining grandchild.
            s.counters.unknownPidRecords++;
            log.log(s.label(), LogLimiter.Kind.UNKNOWN_PID_RECORD, Level.DEBUG,
                    "{}: status update from unknown pid {} -- ignored", s.label(), pid);
            return null;
        }
        long gen = GenerationCounter.normalize(generation);
        if (r.generation() != gen) {
            s.counters.generationMismatches++;
            log.log(s.label(), LogLimiter.Kind.GENERATION_MISMATCH, Level.INFO,
                    "ignoring status update from child pid {} generation {}", pid, gen);
            return null;
        }
        if (!r.serviceId().equals(s.id())) {
            // Postfix panics here ("pointer corruption"); one forged record must not take the master down (docs/postfix-master.md §10 W1).
            s.counters.forgedRecords++;
            log.log(s.label(), LogLimiter.Kind.FOREIGN_RECORD, Level.WARN,
                    "{}: status record for pid {} of service {} arrived on this service's channel -- ignored",
                    s.label(), pid, r.serviceId());
            return null;
        }
        if (status != STATUS_TAKEN && status != STATUS_AVAIL) {
            s.counters.unknownStatusValues++;
            log.log(s.label(), LogLimiter.Kind.UNKNOWN_STATUS, Level.WARN,
                    "master_status_event: pid {}: ignoring unknown status: {}", pid, status);
            return null;
        }
        ChildRecord.State next = status == STATUS_AVAIL ? ChildRecord.State.AVAIL : ChildRecord.State.TAKEN;
        if (r.state() == next) {
            s.counters.redundantRecords++;
            log.log(s.label(), LogLimiter.Kind.REDUNDANT_RECORD, Level.TRACE, "{}: redundant {} from pid {}",
                    s.label(), next, pid);
            return null;
        }
        return next;
    }

    /** A record of the wrong size arrived (docs/postfix-master.md §10 W2: with SEQPACKET this is a bad sender, not misframing). */
    void malformed(ServiceState s, int senderPid, int length) {
        s.counters.malformedRecords++;
        log.log(s.label(), LogLimiter.Kind.MALFORMED_RECORD, Level.WARN,
                "{}: child (pid {}) sent partial status update ({} bytes)", s.label(), senderPid, length);
    }

    /** Reading the status channel failed; no state change. */
    void readError(ServiceState s, String error) {
        s.counters.statusReadErrors++;
        log.log(s.label(), LogLimiter.Kind.STATUS_READ_ERROR, Level.WARN,
                "master_status_event: read: {} ({})", error, s.label());
    }
}
