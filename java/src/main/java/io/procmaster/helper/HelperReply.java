package io.procmaster.helper;

import io.procmaster.helper.wire.ReplyFactory;
import io.procmaster.helper.wire.ReplyText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One answer to a helper request, read as Squid 5.7 reads it (docs/helpers.md, "Squid reads →
 * procmaster reads"; the parser is {@code helper.wire.HelperReplyParser}).
 *
 * <p>What a reply holds:
 * <ul>
 * <li>{@link #status()}: Squid's result ({@code Helper::ResultCode}): {@code OK} and {@code AF} are
 *     {@link Status#OK}, {@code ERR}, {@code NA} and the empty line {@link Status#ERR}, {@code BH}
 *     (and a {@code TT} without its token) {@link Status#BH}, {@code TT} {@link Status#TT}, anything
 *     else {@link Status#UNKNOWN}; {@link Status#BYPASSED} when the pool answered itself.</li>
 * <li>{@link #code()}: the result code as written, so a caller can tell {@code AF} from {@code OK}.</li>
 * <li>{@link #notes()}: Squid's notes, every {@code key=value} in reply order, duplicates kept; the
 *     tokens {@code TT}/{@code AF} carry ({@code token}, {@code user}) and the {@code message} of a
 *     {@code BH}/{@code NA} line are notes, as in Squid. {@link #kv()} is the first value per key
 *     (Squid's {@code notes.findFirst}).</li>
 * <li>{@link #other()}: what Squid keeps in {@code Reply::other()}, the rest of the line after the
 *     code and the notes (empty for {@code BH}/{@code NA}, whose rest became the message).</li>
 * <li>{@link #raw()}: the bytes of the line as the helper wrote them (after the channel ID, without
 *     the terminator): {@code OK} and {@code OK } differ there.</li>
 * <li>{@link #text()}: the legacy view of earlier releases: the line after the written code, trimmed;
 *     for a reply without a code the whole line. Not for Squid's certificate helpers, whose
 *     {@code code SP length SP body} replies count the body's final LF: read those from
 *     {@link #otherBytes()} (or {@link #other()}), which keep every byte the length counts.</li>
 * </ul>
 *
 * <p>Bytes and Strings: every value is available as bytes ({@link #noteBytes}, {@link #userBytes},
 * {@link #raw}, {@link #otherBytes}), exactly as received. Each String view decodes its own bytes:
 * as UTF-8 when they are valid UTF-8 (ASCII included), otherwise as ISO-8859-1, one char per byte,
 * so no byte is ever replaced by U+FFFD. A Latin-1 {@code AF WORKGROUP\j\xF6rg} thus reads
 * {@code user} = {@code "WORKGROUP\jörg"}, and its {@link #userBytes} are the helper's bytes.
 *
 * <p><b>String views are for display, the bytes are the identity.</b> The rule is not one-to-one:
 * the UTF-8 {@code j\xC3\xB6rg} and the Latin-1 {@code j\xF6rg} are two users to Squid and to the
 * directory behind it, yet both read {@code "jörg"}; and a view's bytes come back from it only with
 * the charset that decoded it ({@code getBytes(UTF_8)} for valid UTF-8, {@code getBytes(ISO_8859_1)}
 * otherwise), which the String does not say. Authorize, cache or compare by {@link #userBytes},
 * {@link #noteBytes}, {@link Note#valueBytes} or {@link #raw}; {@link #equals} compares bytes.
 *
 * <p>Immutable and thread-safe; String views are decoded on first use. Replies are read by the
 * pool's parser (through {@code helper.wire.ReplyFactory}, not public API) or built by
 * {@link #HelperReply(Status, String, Map)} and {@link #bypassed}. Failure modes: the constructor
 * throws {@link NullPointerException} for a null text, map or value.
 */
public final class HelperReply {
    /** Squid's result ({@code Helper::ResultCode}), plus the pool's own {@link #BYPASSED}. */
    public enum Status {
        /** Squid's Okay: written {@code OK} or {@code AF}. */
        OK,
        /** Squid's Error (a negative answer, not a failure): {@code ERR}, {@code NA} or an empty line. */
        ERR,
        /** Squid's BrokenHelper: {@code BH}, or {@code TT} without a token; retried on another helper up to {@code bhRetries}. */
        BH,
        /** Squid's TT: an NTLM/Negotiate challenge; its token is {@link #token()}. */
        TT,
        /** No result code Squid knows: a legacy free-text reply (its text is {@link #other()} and {@link #text()}). */
        UNKNOWN,
        /** Not a helper's answer: the pool answered itself under overload policy BYPASS. */
        BYPASSED
    }

    /** The result code as the helper wrote it. */
    public enum Code {
        OK, ERR, BH, TT, AF, NA,
        /** No code: an empty line, a legacy free-text reply, or the pool's own answer. */
        NONE;

        /** Bytes of the code on the wire (0 for NONE). */
        int length() {
            return this == NONE ? 0 : name().length();
        }
    }

    /** One {@code key=value} note; the value as bytes ({@link #valueBytes}) or decoded ({@link #value}). */
    public static final class Note {
        private final String key;
        private final byte[] bytes;
        private final int offset;
        private final int length;

        private Note(String key, byte[] bytes, int offset, int length) {
            this.key = key;
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
        }

        public String key() {
            return key;
        }

        /**
         * The value decoded for display (UTF-8 where valid, else ISO-8859-1; see {@link HelperReply}):
         * two different byte values may read the same; compare {@link #valueBytes} for identity.
         */
        public String value() {
            return decode(bytes, offset, length);
        }

        /** The value's bytes, exactly as the helper sent them after Squid's unquoting/unescaping; a copy. */
        public byte[] valueBytes() {
            return Arrays.copyOfRange(bytes, offset, offset + length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Note n && key.equals(n.key)
                    && Arrays.equals(bytes, offset, offset + length, n.bytes, n.offset, n.offset + n.length);
        }

        @Override
        public int hashCode() {
            int h = key.hashCode();
            for (int i = offset; i < offset + length; i++) h = 31 * h + bytes[i];
            return h;
        }

        @Override
        public String toString() {
            return key + "=" + value();
        }
    }

    private static final String[] NO_KEYS = {};
    private static final int[] NO_BOUNDS = {};

    private final Status status;
    private final Code code;
    private final byte[] bytes;       // [0, rawLength): the line; after it: decoded note values
    private final int rawLength;
    private final int otherStart;
    private final int otherEnd;
    private final String[] keys;
    private final int[] bounds;       // note i: bytes[bounds[2i], bounds[2i] + bounds[2i+1])
    private final int noteCount;      // notes: the first noteCount keys and ranges
    private final String fixedText;   // non-null: text() given, not derived from the line
    private String text;              // cached decoding (a benign race, like String.hash: always the same value)
    private volatile Map<String, String> kv;

    private HelperReply(Status status, Code code, byte[] bytes, int rawLength, int otherStart, int otherEnd,
                        String[] keys, int[] bounds, int noteCount, String fixedText) {
        this.status = Objects.requireNonNull(status, "status");
        this.code = code;
        this.bytes = bytes;
        this.rawLength = rawLength;
        this.otherStart = otherStart;
        this.otherEnd = otherEnd;
        this.keys = keys;
        this.bounds = bounds;
        this.noteCount = noteCount;
        this.fixedText = fixedText;
    }

    /**
     * A reply built from a text and annotations rather than read from a helper (as earlier releases
     * built it): code {@link Code#NONE}, the text as the line (UTF-8) and as {@link #other()}, the
     * annotations as notes in map order.
     */
    public HelperReply(Status status, String text, Map<String, String> kv) {
        this(status, text, Annotations.of(text, kv));
    }

    /** The public constructor's one pass over {@code kv}: the reply owns what it read, whatever the map does later. */
    private HelperReply(Status status, String text, Annotations a) {
        this(status, Code.NONE, a.bytes, a.textLength, 0, a.textLength, a.keys, a.bounds, a.keys.length, text);
    }

    static {
        ReplyFactory.install(new ReplyFactory() {
            @Override
            public HelperReply parsed(Status status, Code code, byte[] bytes, int rawLength, int otherStart, int otherEnd,
                                      String[] keys, int[] bounds, int noteCount) {
                return HelperReply.parsed(status, code, bytes, rawLength, otherStart, otherEnd, keys, bounds, noteCount);
            }
        });
    }

    /** {@link ReplyFactory#parsed}: the arrays become the reply's; checked, never trusted. */
    private static HelperReply parsed(Status status, Code code, byte[] bytes, int rawLength, int otherStart, int otherEnd,
                                      String[] keys, int[] bounds, int noteCount) {
        Objects.requireNonNull(code, "code");
        if (rawLength < 0 || rawLength > bytes.length || otherStart < 0 || otherStart > otherEnd || otherEnd > rawLength)
            throw new IllegalArgumentException("reply ranges outside the line: raw " + rawLength + ", other ["
                    + otherStart + ", " + otherEnd + "), " + bytes.length + " bytes");
        if (noteCount < 0 || noteCount > keys.length || noteCount > bounds.length / 2)
            throw new IllegalArgumentException(noteCount + " notes but room for " + keys.length + " keys and "
                    + bounds.length / 2 + " value ranges");
        for (int i = 0; i < noteCount; i++) {
            Objects.requireNonNull(keys[i], "note key");
            int off = bounds[2 * i];
            int len = bounds[2 * i + 1];
            if (off < 0 || len < 0 || len > bytes.length - off) // not off + len: that overflows
                throw new IllegalArgumentException("note '" + keys[i] + "' outside the reply's bytes: [" + off + ", +" + len
                        + ") of " + bytes.length);
        }
        return new HelperReply(status, code, bytes, rawLength, otherStart, otherEnd,
                noteCount == 0 ? NO_KEYS : keys, noteCount == 0 ? NO_BOUNDS : bounds, noteCount, null);
    }

    /** The pool's own answer under overload policy BYPASS. */
    public static HelperReply bypassed(String why) {
        return new HelperReply(Status.BYPASSED, why, Map.of());
    }

    /** Whether the pool answered this itself under overload policy BYPASS. */
    public boolean isBypassed() {
        return status == Status.BYPASSED;
    }

    public Status status() {
        return status;
    }

    public Code code() {
        return code;
    }

    /**
     * The legacy text: the line after the written code, Squid whitespace trimmed at both ends; the
     * whole line when there is no code (or the text the reply was built with). Trimming drops the
     * final LF of a certificate helper's length-framed body, so its length no longer matches: read
     * certificate replies from {@link #otherBytes()}.
     */
    public String text() {
        String t = text;
        if (t == null) {
            if (fixedText != null) {
                t = fixedText;
            } else if (code == Code.NONE) {
                t = decode(bytes, 0, rawLength);
            } else {
                int from = code.length();
                int to = rawLength;
                while (from < to && isSquidSpace(bytes[from])) from++;
                while (to > from && isSquidSpace(bytes[to - 1])) to--;
                t = decode(bytes, from, to - from);
            }
            text = t;
        }
        return t;
    }

    /**
     * The first value of each key, in the order keys first appear (Squid's {@code notes.findFirst}),
     * decoded for display: two different byte values may read the same (see {@link HelperReply});
     * identity is {@link #noteBytes}.
     */
    public Map<String, String> kv() {
        Map<String, String> m = kv;
        if (m == null) {
            if (noteCount == 0) {
                m = Map.of();
            } else {
                LinkedHashMap<String, String> first = new LinkedHashMap<>();
                for (int i = 0; i < noteCount; i++)
                    if (!first.containsKey(keys[i])) first.put(keys[i], decode(bytes, bounds[2 * i], bounds[2 * i + 1]));
                m = Collections.unmodifiableMap(first);
            }
            kv = m;
        }
        return m;
    }

    /** Every note in reply order, duplicate keys included. */
    public List<Note> notes() {
        List<Note> l = new ArrayList<>(noteCount);
        for (int i = 0; i < noteCount; i++) l.add(new Note(keys[i], bytes, bounds[2 * i], bounds[2 * i + 1]));
        return Collections.unmodifiableList(l);
    }

    /**
     * The first value of note {@code key}, decoded for display. Not for identity: two different byte
     * values may read the same (UTF-8 where valid, else ISO-8859-1; see {@link HelperReply}); compare
     * {@link #noteBytes}.
     */
    public Optional<String> note(String key) {
        int i = indexOf(key);
        return i < 0 ? Optional.empty() : Optional.of(decode(bytes, bounds[2 * i], bounds[2 * i + 1]));
    }

    /** The first value of note {@code key}, as bytes (a copy). */
    public Optional<byte[]> noteBytes(String key) {
        int i = indexOf(key);
        return i < 0 ? Optional.empty() : Optional.of(Arrays.copyOfRange(bytes, bounds[2 * i], bounds[2 * i] + bounds[2 * i + 1]));
    }

    /** Note {@code message}: a BH/NA line's text, or a helper's {@code message=}. */
    public Optional<String> message() {
        return note("message");
    }

    /**
     * Note {@code user}: an AF line's user, or a helper's {@code user=}, decoded for display. Not for
     * identity: the UTF-8 {@code j\xC3\xB6rg} and the Latin-1 {@code j\xF6rg} both read {@code "jörg"};
     * authorize and cache by {@link #userBytes}.
     */
    public Optional<String> user() {
        return note("user");
    }

    /** Note {@code user} as bytes (a Latin-1 user name arrives intact): the user's identity; a copy. */
    public Optional<byte[]> userBytes() {
        return noteBytes("user");
    }

    /** Note {@code token}: the token of a TT (or Negotiate AF) line. */
    public Optional<String> token() {
        return note("token");
    }

    /** The line's bytes as the helper wrote them (after the channel ID, without the terminator); a copy. */
    public byte[] raw() {
        return Arrays.copyOf(bytes, rawLength);
    }

    /** The line decoded. */
    public String rawText() {
        return decode(bytes, 0, rawLength);
    }

    /**
     * What Squid keeps in {@code Reply::other()}: the line after its code and notes, decoded for
     * display; untrimmed, so a certificate helper's {@code length SP body} is there whole, its final
     * LF included (Squid's {@code CrtdMessage} reads the body by that length from {@code other()}).
     */
    public String other() {
        return decode(bytes, otherStart, otherEnd - otherStart);
    }

    /** {@link #other()} as bytes (a copy): the bytes a certificate reply's length counts, exactly. */
    public byte[] otherBytes() {
        return Arrays.copyOfRange(bytes, otherStart, otherEnd);
    }

    private int indexOf(String key) {
        for (int i = 0; i < noteCount; i++) if (keys[i].equals(key)) return i;
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HelperReply r && status == r.status && code == r.code
                && Arrays.equals(bytes, 0, rawLength, r.bytes, 0, r.rawLength)
                && otherStart == r.otherStart && otherEnd == r.otherEnd
                && text().equals(r.text()) && notes().equals(r.notes());
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, code, text(), notes());
    }

    @Override
    public String toString() {
        return "HelperReply[status=" + status + ", code=" + code + ", notes=" + notes() + ", other=" + other()
                + ", raw=" + rawText() + "]";
    }

    /** Squid's {@code xisspace}: C's isspace in the C locale. */
    private static boolean isSquidSpace(byte c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static String decode(byte[] b, int off, int len) {
        return ReplyText.decode(b, off, len);
    }

    // ------------------------------------------------ the text-and-map constructor's layout

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * A text and annotations as a reply's arrays, from one iteration of the map (keys and values read
     * once, each non-null): a map that changes, or whose size disagrees with its entries, cannot make
     * the reply inconsistent.
     */
    private record Annotations(byte[] bytes, int textLength, String[] keys, int[] bounds) {
        static Annotations of(String text, Map<String, String> kv) {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(kv, "kv");
            List<String> keys = new ArrayList<>();
            StringBuilder all = new StringBuilder(text);
            List<Integer> lengths = new ArrayList<>();
            for (Map.Entry<String, String> e : kv.entrySet()) {
                keys.add(Objects.requireNonNull(e.getKey(), "kv key"));
                String v = Objects.requireNonNull(e.getValue(), "kv value");
                all.append(v);
                lengths.add(utf8Length(v));
            }
            int textLength = utf8Length(text);
            int[] bounds = new int[2 * keys.size()];
            int at = textLength;
            for (int i = 0; i < lengths.size(); i++) {
                bounds[2 * i] = at;
                bounds[2 * i + 1] = lengths.get(i);
                at += lengths.get(i);
            }
            return new Annotations(all.toString().getBytes(StandardCharsets.UTF_8), textLength, keys.toArray(NO_KEYS), bounds);
        }
    }
}
