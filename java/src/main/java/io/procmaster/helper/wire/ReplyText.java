package io.procmaster.helper.wire;

import java.nio.charset.StandardCharsets;

/**
 * The decoding of a reply's bytes for its String views ({@code HelperReply}) and for log lines
 * ({@code pool.ReplyRouter}): UTF-8 where the bytes are valid UTF-8, otherwise ISO-8859-1, one char
 * per byte, so no byte becomes U+FFFD (docs/helpers.md, "Squid reads → procmaster reads", Bytes).
 *
 * <p>Interface: {@link #decode}, any thread, no state. The rule is for display, not identity: it is
 * not one-to-one ({@code C3 B6} and {@code F6} both read {@code "ö"}), so identity must use the
 * bytes (the Javadoc of {@code HelperReply} says so).
 *
 * <p>Failure modes: none; any bytes decode. Out-of-range arguments throw as {@link String#String(byte[], int, int, java.nio.charset.Charset)} does.
 */
public final class ReplyText {
    private ReplyText() {}

    /** {@code b[off, off + len)} decoded: UTF-8 if the whole range is valid UTF-8 (ASCII included), else ISO-8859-1. */
    public static String decode(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end && b[i] >= 0) i++;
        if (i == end) return new String(b, off, len, StandardCharsets.ISO_8859_1); // ASCII: the cheap path
        return validUtf8(b, i, end) ? new String(b, off, len, StandardCharsets.UTF_8)
                : new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    /** Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
    static boolean validUtf8(byte[] b, int i, int end) {
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int n;
            int min;
            if (c >= 0xC2 && c <= 0xDF) { n = 1; min = 0x80; }
            else if (c >= 0xE0 && c <= 0xEF) { n = 2; min = 0x800; }
            else if (c >= 0xF0 && c <= 0xF4) { n = 3; min = 0x10000; }
            else return false;
            int cp = c & (0x3F >> n);
            for (int k = 1; k <= n; k++) {
                if (i + k >= end) return false;
                int cc = b[i + k] & 0xFF;
                if ((cc & 0xC0) != 0x80) return false;
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
            i += n + 1;
        }
        return true;
    }
}
