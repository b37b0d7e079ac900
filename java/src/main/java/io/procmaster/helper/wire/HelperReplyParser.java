package io.procmaster.helper.wire;

import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperReply.Code;
import io.procmaster.helper.HelperReply.Status;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one reply line (channel ID removed, terminator stripped) into a {@link HelperReply} exactly as
 * Squid 5.7 reads it ({@code Helper::Reply::finalize} and {@code parseResponseKeys}); docs/helpers.md,
 * "Squid reads → procmaster reads", lists each rule and the test that checks it.
 *
 * <p>The rules, on bytes:
 * <ul>
 * <li>Empty line: ERR (the old URL-rewriter's ERR), nothing else.</li>
 * <li>Codes (only at the start, only on lines of 2 bytes or more): {@code OK}, {@code ERR}, {@code BH}
 *     when alone or followed by a space (not a tab); {@code TT }, {@code AF }, {@code NA } with their
 *     space. {@code TT} takes one word as note {@code token} (none: BH, message
 *     {@code Missing 'token' data}); {@code AF} takes one word as {@code user}, or two as {@code token}
 *     and {@code user}, and is OK; {@code NA} is ERR. Whitespace (C {@code isspace}) after the code is skipped,
 *     also when no code matched.</li>
 * <li>Notes: {@code key=value} pairs from there on, stopping at the first word that is not one (a key
 *     of letters, digits, '-' and '_', possibly empty, then '=' not followed by whitespace). The value
 *     is a word as Squid's {@code strwordtok} reads it: double quotes toggle quoting anywhere in it,
 *     whitespace inside quotes is kept, a backslash escapes the next byte only inside quotes
 *     ({@code \n}, {@code \r} become LF, CR), elsewhere a backslash is an ordinary byte. A value whose
 *     first byte is not a quote is then %-unescaped ({@code rfc1738_unescape}: {@code %%} is one '%',
 *     {@code %00} and invalid escapes stay as written) when it took more than 2 bytes of the line
 *     (its separator included). Not on an NA line.</li>
 * <li>The rest of a BH or NA line is note {@code message}; otherwise it stays in {@code other}.</li>
 * </ul>
 * The same word reading applies to the TT/AF words. NUL bytes are ordinary bytes here (Squid's C
 * strings would end at one: docs/helpers.md, "Deliberate differences").
 *
 * <p>Cost: one array holding the line (and, when the line has notes, room for their decoded values),
 * two small arrays for the notes, the reply; well-known keys are shared Strings.
 *
 * <p>Failure modes: none; every line reads as some reply (a malformed note ends the notes, its text
 * stays in {@code other}).
 */
public final class HelperReplyParser {
    private static final String[] NO_KEYS = {};
    private static final int[] NO_BOUNDS = {};
    private static final byte[] MISSING_TOKEN = "Missing 'token' data".getBytes(StandardCharsets.US_ASCII);
    private static final String[] WELL_KNOWN_KEYS = {
        "user", "token", "message", "store-id", "url", "rewrite-url", "status", "tag", "log", "password",
        "ttl", "clt_conn_tag", "group", "echo",
    };
    private static final byte[][] WELL_KNOWN_BYTES = new byte[WELL_KNOWN_KEYS.length][];

    static {
        for (int i = 0; i < WELL_KNOWN_KEYS.length; i++) WELL_KNOWN_BYTES[i] = WELL_KNOWN_KEYS[i].getBytes(StandardCharsets.US_ASCII);
    }

    private HelperReplyParser() {}

    /** Reads {@code line} encoded as UTF-8 (a convenience for tests and configured responses). */
    public static HelperReply parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return parse(b, 0, b.length);
    }

    /** Reads {@code b[off, off + len)}; the bytes are copied, the caller may reuse its array. */
    public static HelperReply parse(byte[] b, int off, int len) {
        return new Reading().reset(b, off, len).read();
    }

    /**
     * A reader for one thread that reads many lines (a helper pool's loop): the same as
     * {@link #parse(byte[], int, int)}, reusing its state between lines instead of allocating it per
     * line (BENCHMARKS.md §6). Not thread-safe; the reply owns nothing of the reader's.
     */
    public static final class Reader {
        private final Reading reading = new Reading();

        /** As {@link HelperReplyParser#parse(byte[], int, int)}. */
        public HelperReply parse(byte[] b, int off, int len) {
            return reading.reset(b, off, len).read();
        }
    }

    /**
     * One line being read: the reply's array (line, then decoded values) and its notes so far. Every
     * field is set by {@link #reset}; the arrays it hands to the reply are new for each line.
     */
    private static final class Reading {
        byte[] out;
        int len;
        int w;                 // next free byte of the values area
        int capacity;          // most notes the line can hold: every '=' may be one; plus token, user, message
        String[] keys;         // allocated with the first note
        int[] bounds;
        int notes;
        int pos;               // Squid's parse pointer into the line
        int wordStart;         // result of the last word(): its decoded bytes out[wordStart, w)

        Reading reset(byte[] b, int off, int len) {
            this.len = len;
            keys = null;
            bounds = null;
            notes = 0;
            pos = 0;
            wordStart = 0;
            boolean mayHaveNotes = len >= 3 && (startsWith(b, off, len, "TT ") || startsWith(b, off, len, "AF "));
            int equals = 0;
            for (int i = off; i < off + len; i++) if (b[i] == '=') equals++;
            mayHaveNotes |= equals > 0;
            int room = mayHaveNotes ? len + MISSING_TOKEN.length : 0;
            out = new byte[len + room];
            System.arraycopy(b, off, out, 0, len);
            w = len;
            capacity = equals + 3;
            return this;
        }

        HelperReply read() {
            if (len == 0) return done(Status.ERR, Code.NONE, 0, 0);
            Status status = Status.UNKNOWN;
            Code code = Code.NONE;
            boolean sawNa = false;
            if (len >= 2) {
                if (codeAlone("OK")) {
                    status = Status.OK;
                    code = Code.OK;
                    pos = 2;
                } else if (codeAlone("ERR")) {
                    status = Status.ERR;
                    code = Code.ERR;
                    pos = 3;
                } else if (codeAlone("BH")) {
                    status = Status.BH;
                    code = Code.BH;
                    pos = 2;
                } else if (startsWith(out, 0, len, "TT ")) {
                    status = Status.TT;
                    code = Code.TT;
                    pos = 3;
                    if (word()) {
                        addWordNote("token");
                    } else { // the token is mandatory on TT
                        status = Status.BH;
                        System.arraycopy(MISSING_TOKEN, 0, out, w, MISSING_TOKEN.length);
                        addNote("message", w, MISSING_TOKEN.length);
                        w += MISSING_TOKEN.length;
                    }
                } else if (startsWith(out, 0, len, "AF ")) {
                    status = Status.OK;
                    code = Code.AF;
                    pos = 3;
                    boolean first = word();
                    int s1 = wordStart;
                    int e1 = w;
                    if (first && word()) { // Negotiate: "token user"
                        addNote("token", s1, e1 - s1);
                        addWordNote("user");
                    } else if (first) {    // NTLM: "user"
                        addNote("user", s1, e1 - s1);
                    }
                } else if (startsWith(out, 0, len, "NA ")) {
                    status = Status.ERR;
                    code = Code.NA;
                    pos = 3;
                    sawNa = true;
                }
                skipSpace();
            }
            skipSpace(); // MemBuf::consumeWhitespacePrefix
            if (!sawNa) readNotes();
            if (pos < len && (sawNa || status == Status.BH)) { // BH and NA used to be a text message
                addNote("message", pos, len - pos);
                return done(status, code, len, len);
            }
            return done(status, code, pos, len);
        }

        /** The code followed by a space or the end of the line (Squid: "OK" then len == 2 or p[2] == ' '). */
        private boolean codeAlone(String c) {
            int n = c.length();
            return startsWith(out, 0, len, c) && (len == n || out[n] == ' ');
        }

        /** Squid's parseResponseKeys: key=value pairs until a word that is not one. */
        private void readNotes() {
            while (pos < len) {
                int k = pos;
                while (k < len && isKeyNameChar(out[k])) k++;
                if (k >= len || out[k] != '=') return;
                if (k + 1 < len && isSquidSpace(out[k + 1])) return; // no whitespace between key and value
                String key = key(pos, k);
                int valueStart = k + 1;
                pos = valueStart;
                boolean unescape = valueStart >= len || out[valueStart] != '"';
                if (word()) {
                    if (unescape && pos - valueStart > 2) w = wordStart + unescape(wordStart, w);
                    addWordNote(key);
                } else {
                    addNote(key, w, 0);
                }
                skipSpace();
            }
        }

        /**
         * Squid's strwordtok from {@link #pos}: skips whitespace, decodes one word into the values area
         * ({@code out[wordStart, w)}) and leaves {@code pos} after it and the one whitespace byte that ended it.
         * False when only whitespace was left.
         */
        private boolean word() {
            skipSpace();
            if (pos >= len) return false;
            wordStart = w;
            boolean quoted = false;
            while (pos < len) {
                byte c = out[pos];
                if (c == '\\') {
                    if (quoted) pos++;
                    if (pos >= len) break; // a quoted backslash at the end: nothing more (Squid writes the NUL it finds)
                    byte e = out[pos];
                    out[w++] = quoted && e == 'n' ? (byte) '\n' : quoted && e == 'r' ? (byte) '\r' : e;
                    pos++;
                } else if (c == '"') {
                    quoted = !quoted;
                    pos++;
                } else if (!quoted && isSquidSpace(c)) {
                    pos++;
                    break;
                } else {
                    out[w++] = c;
                    pos++;
                }
            }
            return true;
        }

        /** rfc1738_unescape in place over {@code out[from, to)}: the new length. */
        private int unescape(int from, int to) {
            int i = from;
            for (int j = from; j < to; i++, j++) {
                out[i] = out[j];
                if (out[j] != '%') continue;
                if (j + 1 < to && out[j + 1] == '%') {
                    j++;
                    continue;
                }
                int v1 = j + 1 < to ? hex(out[j + 1]) : -1;
                if (v1 < 0) continue;
                int v2 = j + 2 < to ? hex(out[j + 2]) : -1;
                if (v2 < 0) continue;
                int x = v1 << 4 | v2;
                if (x > 0) { // %00 stays as written
                    out[i] = (byte) x;
                    j += 2;
                }
            }
            return i - from;
        }

        private void skipSpace() {
            while (pos < len && isSquidSpace(out[pos])) pos++;
        }

        private void addWordNote(String key) {
            addNote(key, wordStart, w - wordStart);
        }

        private void addNote(String key, int off, int n) {
            if (keys == null) {
                keys = new String[capacity];
                bounds = new int[2 * capacity];
            } else if (notes == keys.length) { // cannot happen (capacity counts every '='), but never overrun
                keys = Arrays.copyOf(keys, notes * 2 + 1);
                bounds = Arrays.copyOf(bounds, keys.length * 2);
            }
            keys[notes] = key;
            bounds[2 * notes] = off;
            bounds[2 * notes + 1] = n;
            notes++;
        }

        private String key(int from, int to) {
            int n = to - from;
            for (int i = 0; i < WELL_KNOWN_BYTES.length; i++)
                if (WELL_KNOWN_BYTES[i].length == n && Arrays.equals(WELL_KNOWN_BYTES[i], 0, n, out, from, to))
                    return WELL_KNOWN_KEYS[i];
            return new String(out, from, n, StandardCharsets.US_ASCII); // key bytes are ASCII
        }

        private HelperReply done(Status status, Code code, int otherStart, int otherEnd) {
            return ReplyFactory.get().parsed(status, code, out, len, otherStart, otherEnd,
                    keys == null ? NO_KEYS : keys, bounds == null ? NO_BOUNDS : bounds, notes);
        }
    }

    private static boolean startsWith(byte[] b, int off, int len, String s) {
        int n = s.length();
        if (len < n) return false;
        for (int i = 0; i < n; i++) if (b[off + i] != s.charAt(i)) return false;
        return true;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** Squid's isKeyNameChar: letters, digits, '-' and '_'. */
    private static boolean isKeyNameChar(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    /** Squid's xisspace: C's isspace in the C locale (SP, HT, LF, VT, FF, CR). */
    static boolean isSquidSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
