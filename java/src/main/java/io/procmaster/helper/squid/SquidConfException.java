package io.procmaster.helper.squid;

/**
 * A squid.conf that Squid itself would refuse ({@code FATAL: Bungled ...}), or a helper line that a
 * procmaster pool cannot run (zero children, a program not found): the file, the line, the value
 * and the reason.
 *
 * <p>The message reads {@code squid.conf:12: url_rewrite_children: "abc": No digits were found in
 * the input value 'abc'.}. Like Squid, the parser stops at the first such line. Checked on purpose:
 * a caller loading a configuration decides what to keep when it is bad (as {@code ConfigException}).
 */
public final class SquidConfException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The file of the line, as named. */
    private final String file;
    /** The first physical line of the logical line; 0 when the error has no line (a file that cannot be read). */
    private final int line;
    /** The directive, or null when the error concerns no directive. */
    private final String directive;
    /** The offending value as written, or null. */
    private final String value;
    /** Why it is refused. */
    private final String reason;

    SquidConfException(String file, int line, String directive, String value, String reason) {
        super(render(file, line, directive, value, reason));
        this.file = file;
        this.line = line;
        this.directive = directive;
        this.value = value;
        this.reason = reason;
    }

    SquidConfException(String file, int line, String directive, String value, String reason, Throwable cause) {
        this(file, line, directive, value, reason);
        initCause(cause);
    }

    private static String render(String file, int line, String directive, String value, String reason) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) sb.append(':').append(line);
        sb.append(": ");
        if (directive != null) sb.append(directive).append(": ");
        if (value != null) sb.append('"').append(value).append("\": ");
        return sb.append(reason).toString();
    }

    /** The file of the line, as named. */
    public String file() { return file; }
    /** The first physical line of the logical line, or 0 when there is none. */
    public int line() { return line; }
    /** The directive, or null. */
    public String directive() { return directive; }
    /** The offending value as written, or null. */
    public String value() { return value; }
    /** Why the line is refused, without the place. */
    public String reason() { return reason; }
}
