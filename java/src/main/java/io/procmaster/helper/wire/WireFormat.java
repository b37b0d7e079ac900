package io.procmaster.helper.wire;


/**
 * Channel-ID parsing of the line protocol, on bytes.
 *
 * <p>Request: {@code [id SP] text LF} (encoded by {@code process.HelperOutput} straight into the helper's
 * output buffer; which requests can be framed is {@link RequestFraming}'s). Reply with channel IDs, read as Squid 5.7's {@code helperHandleRead} reads it
 * ({@code src/helper.cc}: {@code strtol}, then any {@code xisspace} or the end of the message, then
 * every {@code xisspace} skipped; docs/helpers.md, "End of message, bodies and request escaping"):
 * leading whitespace (SP, HT, LF, VT, FF, CR), an optional {@code +}, the decimal id, then whitespace
 * or the end of the line. So a certificate helper that writes {@code 0x01 LF} after each reply keeps
 * working: the LF begins the next message and is skipped before its id.
 *
 * <p>Bounded where {@code strtol} is not: at most 18 significant digits (leading zeros aside), so the
 * id always fits a positive long and never overflows. Unlike {@code strtol}, a message without digits
 * is not channel 0, and a {@code -} sign gives no id.
 *
 * <p>Failure modes: none thrown. A message with no valid id gives -1, which the pool counts and logs
 * as a reply on an unknown channel ({@code pool.ReplyRouter}); it never reaches a request.
 */
public final class WireFormat {
    private WireFormat() {}

    /** Most significant digits of an id: 18 always fit a positive long. */
    private static final int MAX_ID_DIGITS = 18;

    /** The channel id at the start of {@code b[off, off + len)}, or -1 if there is none. */
    public static long parseId(byte[] b, int off, int len) {
        int end = off + len;
        int i = digitsStart(b, off, end);
        int first = i;
        while (i < end && b[i] == '0') i++;
        int significant = i;
        long id = 0;
        while (i < end && isDigit(b[i])) id = id * 10 + (b[i++] - '0');
        if (i == first || i - significant > MAX_ID_DIGITS) return -1;
        if (i < end && !HelperReplyParser.isSquidSpace(b[i])) return -1;
        return id;
    }

    /** Where the reply starts in {@code b[off, off + len)}: after the id and all the whitespace after it. */
    public static int afterId(byte[] b, int off, int len) {
        int end = off + len;
        int i = digitsStart(b, off, end);
        while (i < end && isDigit(b[i])) i++;
        while (i < end && HelperReplyParser.isSquidSpace(b[i])) i++;
        return i;
    }

    /** After strtol's leading whitespace and optional plus sign. */
    private static int digitsStart(byte[] b, int i, int end) {
        while (i < end && HelperReplyParser.isSquidSpace(b[i])) i++;
        if (i < end && b[i] == '+') i++;
        return i;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }
}
