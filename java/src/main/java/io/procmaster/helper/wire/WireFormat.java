package io.procmaster.helper.wire;


/**
 * Request validation and channel-ID parsing of the line protocol.
 *
 * <p>Request: {@code [id SP] text LF} (encoded by {@code process.HelperOutput} straight into the helper's
 * output buffer). Reply with channel IDs: {@code id (SP|TAB)+ rest} or just
 * {@code id}; the id is 1–18 ASCII digits (no sign, no leading whitespace: strict, unlike C's strtol).
 * Anything else is "no valid id" (-1) and is counted by the pool, never a crash.
 */
public final class WireFormat {
    private WireFormat() {}

    /** Null if the text can be framed, else the reason it cannot. */
    public static String invalidRequest(String text) {
        if (text.indexOf('\n') >= 0)
            return "request text must not contain a line feed (the pool appends the terminator; an embedded LF would split it into two requests)";
        return null;
    }

    /** The channel id at the start of {@code line}, or -1 if there is none. */
    public static long parseId(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) >= '0' && line.charAt(i) <= '9') i++;
        if (i == 0 || i > 18) return -1;  // 18 digits always fit a positive long
        if (i < line.length() && !HelperReplyParser.isSpace(line.charAt(i))) return -1;
        return Long.parseLong(line, 0, i, 10);
    }

    /** The reply after the id and its separating whitespace. */
    public static String afterId(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) >= '0' && line.charAt(i) <= '9') i++;
        while (i < line.length() && HelperReplyParser.isSpace(line.charAt(i))) i++;
        return line.substring(i);
    }
}
