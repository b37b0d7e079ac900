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
 *
 * @param added     ids of the new services
 * @param restarted ids of the services whose definition changed (restarted, counts kept)
 * @param removing  ids of the removed services, now draining
 * @param rejected  ids (or descriptions) of the specs refused as unusable
 */
public record ReloadSummary(List<String> added, List<String> restarted, List<String> removing, List<String> rejected) {
    /**
     * A summary; the lists are copied.
     *
     * @param added     ids of the new services
     * @param restarted ids of the restarted services
     * @param removing  ids of the services now draining
     * @param rejected  the specs refused as unusable
     */
    public ReloadSummary {
        added = List.copyOf(added);
        restarted = List.copyOf(restarted);
        removing = List.copyOf(removing);
        rejected = List.copyOf(rejected);
    }
}
