package io.procmaster.cli;

import java.util.Locale;

/**
 * The forms of {@code procmaster status} (docs/cli.md): the operator's table, one JSON document,
 * or the OpenMetrics text exposition for scrapers. The word of each is what the client appends to
 * the {@code status} command line on the control socket ({@code status json}); plain {@code status}
 * is the table, as before.
 *
 * <p>Failure modes: {@link #ofWord} returns null for a word that is none of them.
 */
enum StatusFormat {
    TEXT, JSON, OPENMETRICS;

    /** The word on the command line and on the control socket: {@code text}, {@code json}, {@code openmetrics}. */
    String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    static StatusFormat ofWord(String word) {
        for (StatusFormat f : values()) {
            if (f.word().equals(word)) {
                return f;
            }
        }
        return null;
    }
}
