package io.procmaster.config;

import java.util.Objects;

/**
 * One configuration error: where it is (file, line), what is wrong (field or parameter),
 * the offending value as written, and why.
 *
 * <p>{@link #message()} renders it the way docs/postfix-master.md §9 scenario 28 reads, for example
 * {@code master.cf: line 3: field "private": bad value: "yes": expected y or n}. An error
 * about a missing field has no value and renders as
 * {@code master.cf: line 3: missing "command" field}. Control characters in the rendered text
 * (a NUL or an ESC in a value as written) appear as {@code \xNN}. Errors found outside a file (the
 * builder API, command-line overrides) have no file or line and omit that prefix.
 *
 * @param file   the file as the user named it, or {@code null} when not from a file
 * @param line   first physical line of the logical line (1-based), or 0 when unknown
 * @param kind   whether {@code name} is a master.cf field or a main.cf parameter
 * @param name   field name as Postfix spells it ({@code transport type}, {@code max_proc}, …)
 *               or parameter name; {@code null} for errors that concern no single field
 * @param value  the offending value as written, or {@code null} when the value is missing
 * @param reason why the value is wrong; for missing values the whole message text
 */
public record ConfigError(String file, int line, Kind kind, String name, String value, String reason) {

    /** What {@code name} names. */
    public enum Kind {
        /** A master.cf field; rendered as {@code field "<name>"}. */
        FIELD("field"),
        /** A main.cf parameter or override; rendered as {@code parameter "<name>"}. */
        PARAMETER("parameter");

        private final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One error; {@code file} may be null and {@code line} 0 when the error has no place in a file. */
    public ConfigError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    /** An error about a field's value, not yet placed in a file. */
    public static ConfigError field(String field, String value, String reason) {
        return new ConfigError(null, 0, Kind.FIELD, field, value, reason);
    }

    /** An error about a parameter's value, not yet placed in a file. */
    public static ConfigError parameter(String name, String value, String reason) {
        return new ConfigError(null, 0, Kind.PARAMETER, name, value, reason);
    }

    /** An error that is only a message (missing field, syntax), not yet placed in a file. */
    public static ConfigError message(String text) {
        return new ConfigError(null, 0, Kind.FIELD, null, null, text);
    }

    /** The same error placed at {@code file}, {@code line}. */
    public ConfigError at(String file, int line) {
        return new ConfigError(file, line, kind, name, value, reason);
    }

    /** The rendered message; see the class comment. */
    public String message() {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (line > 0) {
            sb.append("line ").append(line).append(": ");
        }
        if (name != null && value != null) {
            sb.append(kind.label).append(" \"").append(name).append("\": bad value: \"")
                    .append(value).append("\": ");
        } else if (name != null) {
            sb.append(kind.label).append(" \"").append(name).append("\": ");
        }
        return printable(sb.append(reason));
    }

    /**
     * The text with every control character (NUL, ESC, ...) written as {@code \xNN}: a value
     * from a file is shown as it is, but must not write raw control bytes to a terminal or log.
     */
    private static String printable(CharSequence text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return message();
    }
}
