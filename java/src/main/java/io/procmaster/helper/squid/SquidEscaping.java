package io.procmaster.helper.squid;

import java.nio.charset.StandardCharsets;

/**
 * The value escapes Squid 5.7 applies before it writes a value into a helper request, each named
 * after Squid's function and reproducing its output byte for byte (docs/helpers.md, "End of
 * message, bodies and request escaping"):
 * <ul>
 * <li>{@link #url}: {@code rfc1738_escape} ({@code lib/rfc1738.c}, flags UNSAFE|CTRLS): letters
 *     and digits stay; {@code %XX} (upper-case hex) for the unsafe set {@code < > " # { } | \ ^ ~ [ ] ` '},
 *     for {@code %}, for every byte up to and including SP, for 0x7F and for every byte from 0x80
 *     (the UTF-8 bytes of a non-ASCII character one by one); the reserved {@code ; / ? : @ = &} and
 *     the rest of ASCII stay. Used for basic-auth credentials and {@code quote=url} (the external
 *     ACL default).</li>
 * <li>{@link #urlKeepingPercent}: {@code rfc1738_escape_unescaped} (the same without {@code %}),
 *     for log-format values of no quoting that Squid marks for quoting ({@code src/format/Format.cc}).</li>
 * <li>{@link #shell}: {@code strwordquote} ({@code src/tools.cc}): {@code "}, {@code \} become
 *     {@code \"}, {@code \\}; LF and CR become {@code \n}, {@code \r}; the whole value is wrapped in
 *     double quotes if it contains a space (only SP, not TAB). {@code quote=shell} / {@code protocol=2.5}.</li>
 * <li>{@link #quotes}: {@code log_quoted_string} ({@code src/format/Format.cc}): backslash before
 *     {@code "} and {@code \}; {@code \r \n \t} for CR, LF, TAB; no surrounding quotes.
 *     A format value written {@code %"code}.</li>
 * </ul>
 *
 * <p>Interface: static, pure; a String value is taken as its UTF-8 bytes (what Squid holds for a
 * request that came in as UTF-8); the byte[] forms take any bytes (a Latin-1 user name).
 *
 * <p>Failure modes: a value containing NUL throws {@link IllegalArgumentException} naming where:
 * Squid holds values as C strings, so it could never send the bytes after it.
 */
public final class SquidEscaping {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final String UNSAFE = "<>\"#{}|\\^~[]`'";

    private SquidEscaping() {}

    /** {@code rfc1738_escape} of the UTF-8 bytes of {@code value}. */
    public static String url(String value) {
        return url(bytes(value, "value"));
    }

    /** {@code rfc1738_escape} of {@code value}'s bytes; the result is ASCII. */
    public static String url(byte[] value) {
        return rfc1738(value, true);
    }

    /** {@code rfc1738_escape_unescaped} of the UTF-8 bytes of {@code value}: as {@link #url} but {@code %} stays. */
    public static String urlKeepingPercent(String value) {
        return rfc1738(bytes(value, "value"), false);
    }

    /** {@code strwordquote}: backslash escapes, and double quotes around a value with a space. */
    public static String shell(String value) {
        return backslashed(value, value.indexOf(' ') >= 0, false);
    }

    /** {@code log_quoted_string}: backslash escapes, no surrounding quotes. */
    public static String quotes(String value) {
        return backslashed(value, false, true);
    }

    /** {@code \" \\ \n \r} (and {@code \t} if {@code tab}) for those characters, the whole in double quotes if {@code quoted}. */
    private static String backslashed(String value, boolean quoted, boolean tab) {
        noNul(value, "value");
        StringBuilder out = new StringBuilder(value.length() + 2);
        if (quoted) out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append(tab ? "\\t" : "\t");
                case '"', '\\' -> out.append('\\').append(c);
                default -> out.append(c);
            }
        }
        if (quoted) out.append('"');
        return out.toString();
    }

    private static String rfc1738(byte[] value, boolean escapePercent) {
        byte[] out = new byte[value.length * 3];
        int n = 0;
        for (int i = 0; i < value.length; i++) {
            byte b = value[i];
            if (b == 0) throw new IllegalArgumentException(nulMessage("value", i));
            if (mustEscape(b & 0xff, escapePercent)) {
                out[n++] = '%';
                out[n++] = HEX[(b >> 4) & 0xf];
                out[n++] = HEX[b & 0xf];
            } else {
                out[n++] = b;
            }
        }
        return new String(out, 0, n, StandardCharsets.US_ASCII);
    }

    private static boolean mustEscape(int b, boolean escapePercent) {
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')) return false;
        if (b <= ' ' || b >= 0x7f) return true; // CTRLS, SP, DEL, and every non-ASCII byte
        if (b == '%') return escapePercent;
        return UNSAFE.indexOf(b) >= 0;
    }

    /** The UTF-8 bytes of {@code value}, refusing NUL. */
    static byte[] bytes(String value, String what) {
        noNul(value, what);
        return value.getBytes(StandardCharsets.UTF_8);
    }

    static void noNul(String value, String what) {
        int at = value.indexOf('\0');
        if (at >= 0) throw new IllegalArgumentException(nulMessage(what, at));
    }

    private static String nulMessage(String what, int at) {
        return what + " contains NUL at index " + at + ": Squid holds request values as C strings and never sends one";
    }
}
