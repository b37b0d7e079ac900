package io.procmaster.helper.wire;


/**
 * Request validation and channel-ID parsing of the line protocol, on bytes.
 *
 * <p>Request: {@code [id SP] text LF} (encoded by {@code process.HelperOutput} straight into the helper's
 * output buffer). Reply with channel IDs: {@code id (SP|TAB)+ rest} or just
 * {@code id}; the id is 1–18 ASCII digits (no sign, no leading whitespace: strict, unlike C's strtol).
 * Anything else is "no valid id" (-1) and is counted by the pool, never a crash.
 */
public final class WireFormat {
    private WireFormat() {}

    private static final String EMBEDDED_LF =
            "request text must not contain a line feed (the pool appends the terminator; an embedded LF would split it into two requests)";

    /** Null if the text can be framed, else the reason it cannot. */
    public static String invalidRequest(String text) {
        return text.indexOf('\n') >= 0 ? EMBEDDED_LF : null;
    }

    /** Null if the request bytes can be framed, else the reason it cannot (the rule of {@link #invalidRequest(String)}). */
    public static String invalidRequest(byte[] request) {
        for (byte b : request) if (b == '\n') return EMBEDDED_LF;
        return null;
    }

    /** The channel id at the start of {@code b[off, off + len)}, or -1 if there is none. */
    public static long parseId(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        long id = 0;
        while (i < end && b[i] >= '0' && b[i] <= '9') id = id * 10 + (b[i++] - '0');
        int digits = i - off;
        if (digits == 0 || digits > 18) return -1;  // 18 digits always fit a positive long
        if (i < end && !HelperReplyParser.isSpace(b[i])) return -1;
        return id;
    }

    /** Where the reply starts in {@code b[off, off + len)}: after the id and its separating whitespace. */
    public static int afterId(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end && b[i] >= '0' && b[i] <= '9') i++;
        while (i < end && HelperReplyParser.isSpace(b[i])) i++;
        return i;
    }
}
