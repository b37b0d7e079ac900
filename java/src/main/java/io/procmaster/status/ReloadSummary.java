package io.procmaster.status;

import java.util.List;

/**
 * ReloadSummary - what the master's start or reload did, by service id.
 *
 * <p>{@code added}: new services, now evaluated for listening. {@code restarted}: existing services,
 * status channel recreated, counts/throttle/stress kept. {@code removing}: removed services now
 * draining (they leave once their children are gone). {@code rejected}: specs refused
 * as unusable (null, or no id), already logged.
 *
 * <p>Immutable. Failure modes: none.
 */
public record ReloadSummary(List<String> added, List<String> restarted, List<String> removing, List<String> rejected) {
    /** A summary; the lists are copied. */
    public ReloadSummary {
        added = List.copyOf(added);
        restarted = List.copyOf(restarted);
        removing = List.copyOf(removing);
        rejected = List.copyOf(rejected);
    }
}
