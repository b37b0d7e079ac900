package io.procmaster.helper.squid;

import java.util.ArrayList;
import java.util.List;

/**
 * The warnings of one parse and the one way errors are made, both placed at the logical line
 * being parsed ({@link #at}). Not thread-safe: one parse, one thread.
 *
 * <p>Interface: {@link #squid} records a warning Squid prints itself, {@link #note} one of
 * procmaster's own; {@link #error} makes the {@link SquidConfException} for the current line.
 *
 * <p>Failure modes: none of its own; it makes the parse's errors rather than throwing them (the
 * caller throws what {@link #error} returns, so every error names the file, line, directive and
 * value). Calling {@link #squid}, {@link #note} or {@link #error} before the first {@link #at} is a
 * programming error ({@link NullPointerException}).
 */
final class Diagnostics {
    private final List<SquidConfWarning> warnings = new ArrayList<>();
    private SourceLine current;
    private String directive = "";

    /** Places what follows at {@code line}, under {@code directiveName}. */
    void at(SourceLine line, String directiveName) {
        current = line;
        directive = directiveName;
    }

    /** The line being parsed. */
    SourceLine line() {
        return current;
    }

    /** Narrows the directive named in what follows ({@code auth_param basic children}). */
    void directive(String name) {
        directive = name;
    }

    /** A warning whose text is exactly what {@code squid -k parse} prints for this line. */
    void squid(String value, String squidText) {
        warnings.add(new SquidConfWarning(current.file(), current.line(), directive, value, squidText, true));
    }

    /** A warning of procmaster's own: a silent correction of Squid's, or a value that does not apply to a pool. */
    void note(String value, String message) {
        warnings.add(new SquidConfWarning(current.file(), current.line(), directive, value, message, false));
    }

    /** The error for the current line: Squid refuses it, or a pool cannot run it. */
    SquidConfException error(String value, String reason) {
        return new SquidConfException(current.file(), current.line(), directive, value, reason);
    }

    /** The error for {@code line} (a helper's program line, found wrong once all its lines are read). */
    static SquidConfException errorAt(SourceLine line, String directive, String value, String reason) {
        return new SquidConfException(line.file(), line.line(), directive, value, reason);
    }

    /** Every warning so far, in line order. */
    List<SquidConfWarning> warnings() {
        return List.copyOf(warnings);
    }
}
