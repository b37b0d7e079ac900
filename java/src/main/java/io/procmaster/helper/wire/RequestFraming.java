package io.procmaster.helper.wire;

import io.procmaster.helper.HelperKind;
import java.nio.charset.StandardCharsets;

/**
 * Whether a request can be framed for a pool's helper kind and end-of-message byte, as Squid frames
 * it (docs/helpers.md, "End of message, bodies and request escaping").
 *
 * <p>Squid ends every request with LF, whatever the helper (Squid 5.7 {@code src/ssl/helper.cc}
 * appends LF to the certificate helpers' messages too); the end-of-message byte is where Squid stops
 * reading a <em>reply</em> ({@code helper::eom}: LF, or 0x01 for the certificate helpers). So:
 * <ul>
 * <li>end byte LF: a request must not contain LF (it would split into two requests);</li>
 * <li>another end byte: the request may carry LFs (a body of several lines) but not the end byte
 *     itself, which a helper echoing request text back would send as the end of its reply;</li>
 * <li>the certificate kinds ({@link HelperKind#SSL_CERT_VALIDATOR}, {@link HelperKind#SSL_CERT_GENERATOR})
 *     read a body by its declared length across lines ({@code src/ssl/crtd_message.cc}): the request
 *     must be {@code code SP length SP body} with {@code length} the body's byte count (UTF-8), or the
 *     helper would wait for bytes that never come or take the next request as body.</li>
 * </ul>
 *
 * <p>Interface: {@link #invalidRequest(String, HelperKind, byte)} and its byte twin return null when
 * the request can be sent, else the reason, which the pool hands to the caller as
 * {@code HelperException.InvalidRequest}. Pure functions; failure modes: none (a reason is a value).
 */
public final class RequestFraming {
    private RequestFraming() {}

    /** Why a request with an LF cannot be sent to a helper whose replies end with LF. */
    private static final String EMBEDDED_LF =
            "request text must not contain a line feed (the pool appends the terminator; an embedded LF would split it into two requests)";

    /** Null if {@code text} can be sent to a helper of {@code kind} whose replies end with {@code endOfMessage}, else why not. */
    public static String invalidRequest(String text, HelperKind kind, byte endOfMessage) {
        if (endOfMessage == '\n') {
            if (text.indexOf('\n') >= 0) return EMBEDDED_LF;
        } else if (endOfMessage >= 0 ? text.indexOf(endOfMessage) >= 0 : contains(text.getBytes(StandardCharsets.UTF_8), endOfMessage)) {
            return endByteInside(endOfMessage);
        }
        return isCertificateKind(kind) ? invalidCertificateMessage(text) : null;
    }

    /** {@link #invalidRequest(String, HelperKind, byte)} for a request given as bytes. */
    public static String invalidRequest(byte[] request, HelperKind kind, byte endOfMessage) {
        if (contains(request, endOfMessage)) {
            return endOfMessage == '\n' ? EMBEDDED_LF : endByteInside(endOfMessage);
        }
        return isCertificateKind(kind) ? invalidCertificateMessage(new String(request, StandardCharsets.ISO_8859_1), request.length) : null;
    }

    /** The kinds whose messages are {@code code SP length SP body}. */
    public static boolean isCertificateKind(HelperKind kind) {
        return kind == HelperKind.SSL_CERT_VALIDATOR || kind == HelperKind.SSL_CERT_GENERATOR;
    }

    private static String endByteInside(byte eom) {
        return String.format("request must not contain the end-of-message byte 0x%02x (the helper ends its reply with it;"
                + " a helper echoing the request would end its reply early)", eom & 0xff);
    }

    private static String invalidCertificateMessage(String text) {
        return invalidCertificateMessage(text, -1);
    }

    /**
     * Checks {@code code SP length SP body}; {@code byteCount} is the whole message's length in bytes
     * when {@code text} holds one char per byte (-1: count the body's UTF-8 bytes).
     */
    private static String invalidCertificateMessage(String text, int byteCount) {
        int i = 0;
        int n = text.length();
        if (i < n && isAsciiLetter(text.charAt(i))) {
            while (i < n && (isAsciiLetter(text.charAt(i)) || isDigit(text.charAt(i)) || text.charAt(i) == '_')) i++;
        }
        int codeEnd = i;
        int lengthStart = i + 1;
        int j = lengthStart;
        while (j < n && isDigit(text.charAt(j)) && j - lengthStart < 9) j++;
        boolean shaped = codeEnd > 0 && codeEnd < n && text.charAt(codeEnd) == ' ' && j > lengthStart
                && (j == n || text.charAt(j) == ' ');
        if (!shaped) {
            return "a certificate helper's request must be 'code SP length SP body' (Squid's CrtdMessage), got '"
                    + abbreviate(text) + "'";
        }
        int declared = Integer.parseInt(text, lengthStart, j, 10);
        int bodyStart = Math.min(n, j + 1);
        long actual = byteCount >= 0 ? byteCount - bodyStart : utf8Length(text, bodyStart);
        if (actual != declared) {
            return "a certificate helper's request declares " + declared + " body bytes but has " + actual
                    + " (the helper reads the body by its length: it would wait for more or read the next request as body)";
        }
        return null;
    }

    private static long utf8Length(String s, int from) {
        long bytes = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) bytes++;
            else if (c < 0x800) bytes += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++; // an unpaired surrogate: the pool's UTF-8 encoder writes '?'
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static boolean contains(byte[] b, byte x) {
        for (byte v : b) if (v == x) return true;
        return false;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String abbreviate(String s) {
        String one = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return one.replace("\n", "\\n");
    }
}
