package io.procmaster.helper.wire;

import io.procmaster.helper.HelperReply;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses one reply line (channel ID already removed, line terminator already stripped) into a
 * {@link HelperReply}.
 *
 * <p>Grammar (Squid 3.2+): {@code result [kv-pairs]} with result {@code OK}, {@code ERR} or {@code BH};
 * an empty line means ERR. A kv-pair is {@code key=value}: the key has letters, digits, '-' and '_';
 * the value is a token (%-decoded) or a double-quoted string (backslash escapes). Words that are not
 * kv-pairs stay in {@code text} only. Any line not starting with a result token is a legacy free-text
 * reply: status UNKNOWN, the whole line as text.
 *
 * <p>Failure modes: none; malformed annotations are skipped (they remain visible in {@code text}).
 */
public final class HelperReplyParser {
    private HelperReplyParser() {}

    public static HelperReply parse(String line) {
        if (line.isEmpty()) return new HelperReply(HelperReply.Status.ERR, "", Map.of());
        int sp = 0;
        while (sp < line.length() && !isSpace(line.charAt(sp))) sp++;
        HelperReply.Status status = resultToken(line, sp);
        if (status == null) return new HelperReply(HelperReply.Status.UNKNOWN, line, Map.of());
        String rest = line.substring(sp).strip();
        return new HelperReply(status, rest, parseKv(rest));
    }

    /** The result token that is the whole first word ({@code line[0, end)}), or null: no substring, no hash. */
    private static HelperReply.Status resultToken(String line, int end) {
        if (end == 2 && line.startsWith("OK")) return HelperReply.Status.OK;
        if (end == 3 && line.startsWith("ERR")) return HelperReply.Status.ERR;
        if (end == 2 && line.startsWith("BH")) return HelperReply.Status.BH;
        return null;
    }

    private static Map<String, String> parseKv(String s) {
        Map<String, String> kv = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) i++;
            int keyStart = i;
            while (i < n && isKeyChar(s.charAt(i))) i++;
            if (i > keyStart && i < n && s.charAt(i) == '=') {
                String key = s.substring(keyStart, i);
                i++;
                StringBuilder value = new StringBuilder();
                if (i < n && s.charAt(i) == '"') {
                    i++;
                    while (i < n && s.charAt(i) != '"') {
                        char c = s.charAt(i++);
                        if (c == '\\' && i < n) c = s.charAt(i++);
                        value.append(c);
                    }
                    i++; // closing quote (or end of line for an unterminated string)
                    kv.put(key, value.toString());
                } else {
                    int valueStart = i;
                    while (i < n && !isSpace(s.charAt(i))) i++;
                    kv.put(key, percentDecode(s.substring(valueStart, i)));
                }
            } else {
                while (i < n && !isSpace(s.charAt(i))) i++; // plain word: not an annotation
            }
        }
        return kv;
    }

    /** %XX decoding; invalid escapes are kept literally rather than rejected (never lose the value). */
    private static String percentDecode(String token) {
        if (token.indexOf('%') < 0) return token;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] b = token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '%' && i + 2 < b.length && hex(b[i + 1]) >= 0 && hex(b[i + 2]) >= 0) {
                out.write(hex(b[i + 1]) * 16 + hex(b[i + 2]));
                i += 2;
            } else {
                out.write(b[i]);
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static boolean isKeyChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
