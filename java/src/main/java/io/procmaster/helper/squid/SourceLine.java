package io.procmaster.helper.squid;

import java.util.Objects;

/**
 * One logical line of squid.conf as Squid parses it: continuation lines ({@code \} at the end)
 * joined, leading and trailing whitespace removed, macros such as {@code ${service_name}} replaced
 * (docs/helpers.md, "squid.conf → procmaster").
 *
 * <p>Failure modes: the constructor throws {@link NullPointerException} for a null file or text and
 * {@link IllegalArgumentException} for a line below 1.
 *
 * @param file the file as named (the top file as the caller gave it, an included file as the
 *             {@code include} line names it after glob expansion)
 * @param line the first physical line (1-based) of the logical line
 * @param text the logical line as Squid hands it to the directive's parser
 */
public record SourceLine(String file, int line, String text) {
    /** Checks that file and text are set and the line is 1 or more. */
    public SourceLine {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(text, "text");
        if (line < 1) throw new IllegalArgumentException("line must be 1 or more, got " + line);
    }

    /** {@code file:line}, the place as errors and warnings name it. */
    public String place() {
        return file + ":" + line;
    }

    @Override
    public String toString() {
        return place() + ": " + text;
    }
}
