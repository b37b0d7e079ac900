package io.procmaster;

import java.util.List;

/**
 * ReloadSummary - what a start or a {@link Master#reload()} did, by service id.
 *
 * <p>{@code added}: new services, now evaluated for listening. {@code restarted}: existing services,
 * status channel recreated, counts, throttle and stress kept. {@code removing}: removed services now
 * draining. {@code rejected}: specs refused as unusable, already logged. The facade's own copy of the
 * policy's summary, so that {@link Master} exposes no policy type (docs/DESIGN.md §2); its text form
 * ({@link #toString()}) is what the control socket's {@code reload} answers after {@code ok}.
 *
 * <p>Immutable. Failure modes: a null list is a NullPointerException.
 */
public record ReloadSummary(List<String> added, List<String> restarted, List<String> removing, List<String> rejected) {
    public ReloadSummary {
        added = List.copyOf(added);
        restarted = List.copyOf(restarted);
        removing = List.copyOf(removing);
        rejected = List.copyOf(rejected);
    }
}
