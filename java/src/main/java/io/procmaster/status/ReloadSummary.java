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
 * <p>{@link #toString()} is for log lines: {@code added 25/inet; restarted private/pickup/unix, ...},
 * the non-empty lists only ({@code nothing} when all are empty). The command line says more: what
 * changed in each restarted service (docs/cli.md, "reload").
 *
 * <p>Immutable. Failure modes: none.
 *
 * @param added     ids of the new services
 * @param restarted ids of the services kept from the table before, changed or not: each is restarted as
 *                  Postfix does (status channel recreated; counts, throttle and stress kept)
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

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        part(sb, "added", added);
        part(sb, "restarted", restarted);
        part(sb, "removing", removing);
        part(sb, "rejected", rejected);
        return sb.length() == 0 ? "nothing" : sb.toString();
    }

    private static void part(StringBuilder sb, String what, List<String> ids) {
        if (!ids.isEmpty()) {
            sb.append(sb.length() == 0 ? "" : "; ").append(what).append(' ').append(String.join(", ", ids));
        }
    }
}
