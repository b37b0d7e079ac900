package io.procmaster.cli;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes one JSON text into a string, for {@code procmaster status --json}: objects,
 * arrays, strings, integers, exact decimals, booleans and null, without indentation.
 *
 * <p>Why not a JSON library: the CLI writes one small document of its own records and never reads
 * JSON, and the library stays at slf4j-api (docs/cli.md, "status --json"); {@code StatusJsonTest}
 * reads the output back with Jackson, a real parser. Strings are escaped as JSON requires (docs/cli.md, "status --json"):
 * {@code "} and {@code \} with a backslash, control characters below U+0020 as {@code \n},
 * {@code \t} ... or {@code \}{@code u00XX}; a lone surrogate (not representable in UTF-8) as
 * {@code \}{@code uXXXX}. Everything else is written as it is and the caller encodes it as UTF-8.
 *
 * <p>Interface: {@link #beginObject}/{@link #endObject}, {@link #beginArray}/{@link #endArray},
 * {@link #name} before each member's value, the {@code value} methods, {@link #toString} for the
 * text. Commas are placed by the writer. Failure modes: {@link IllegalStateException} for a name
 * outside an object or a value where a name is due (a bug of the caller, never of the data).
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    /** Per open container: whether it is an object, and whether a member was written. */
    private final Deque<boolean[]> open = new ArrayDeque<>();
    private boolean nameWritten;

    JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        open.push(new boolean[] {true, false});
        return this;
    }

    JsonWriter endObject() {
        close(true, '}');
        return this;
    }

    JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        open.push(new boolean[] {false, false});
        return this;
    }

    JsonWriter endArray() {
        close(false, ']');
        return this;
    }

    JsonWriter name(String name) {
        boolean[] top = open.peek();
        if (top == null || !top[0] || nameWritten) {
            throw new IllegalStateException("a name outside an object or after a name: " + name);
        }
        if (top[1]) {
            out.append(',');
        }
        top[1] = true;
        string(name);
        out.append(':');
        nameWritten = true;
        return this;
    }

    JsonWriter value(String s) {
        if (s == null) {
            return nullValue();
        }
        beforeValue();
        string(s);
        return this;
    }

    JsonWriter value(long n) {
        beforeValue();
        out.append(n);
        return this;
    }

    JsonWriter value(boolean b) {
        beforeValue();
        out.append(b);
        return this;
    }

    /** An exact decimal, written without an exponent ({@code 59.5}, {@code 0}). */
    JsonWriter value(BigDecimal d) {
        if (d == null) {
            return nullValue();
        }
        beforeValue();
        out.append(d.stripTrailingZeros().toPlainString());
        return this;
    }

    JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void beforeValue() {
        boolean[] top = open.peek();
        if (top != null && top[0]) {
            if (!nameWritten) {
                throw new IllegalStateException("a value in an object without a name");
            }
            nameWritten = false;
            return;
        }
        if (top != null) {
            if (top[1]) {
                out.append(',');
            }
            top[1] = true;
        }
    }

    private void close(boolean object, char c) {
        boolean[] top = open.peek();
        if (top == null || top[0] != object || nameWritten) {
            throw new IllegalStateException("unbalanced " + c);
        }
        open.pop();
        out.append(c);
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || isLoneSurrogate(s, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                        if (Character.isHighSurrogate(c)) {
                            out.append(s.charAt(++i)); // the pair's low half, checked by isLoneSurrogate
                        }
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        return Character.isLowSurrogate(c); // a low half reached here has no high half before it
    }
}
