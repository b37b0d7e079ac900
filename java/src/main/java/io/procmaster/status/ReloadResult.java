package io.procmaster.status;

import java.util.List;
import java.util.Objects;

/**
 * ReloadResult - the outcome of a reload ({@code Master.reload()}): what changed ({@link ReloadSummary}) and
 * the warnings about the new files (parameters nothing reads, docs/configuration.md).
 *
 * <p>A reload that fails does not return one: it throws, and the old services stay. Immutable.
 * Failure modes: a null summary or list is a NullPointerException.
 *
 * @param summary  what changed
 * @param warnings the warnings about the new files, in the order met
 */
public record ReloadResult(ReloadSummary summary, List<String> warnings) {
    /**
     * A result; {@code warnings} is copied.
     *
     * @param summary  what changed
     * @param warnings the warnings about the new files
     */
    public ReloadResult {
        Objects.requireNonNull(summary, "summary");
        warnings = List.copyOf(warnings);
    }
}
