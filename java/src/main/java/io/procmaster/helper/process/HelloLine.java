package io.procmaster.helper.process;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The hello handshake of a helper whose spec asks for one ({@code HelperSpec.hello()}): collects the
 * first line the helper writes (bounded: the expected text plus 64 bytes) and compares it, a trailing
 * CR ignored, with the expected text. See {@code docs/helpers.md}.
 *
 * <p>Interface: {@link #feed} consumes bytes up to and including the LF and says whether the line is
 * still incomplete, right, or wrong (then {@link #wrong()} says why); {@link #seen()} is what arrived so
 * far, escaped for a log line. Loop thread only. Failure modes: none; a wrong or over-long line is a
 * verdict, not an exception.
 */
final class HelloLine {
    enum Verdict { INCOMPLETE, RIGHT, WRONG }

    private final String expected;
    private final byte[] line;
    private int length;
    private String wrong;

    HelloLine(String expected) {
        this.expected = expected;
        this.line = new byte[expected.length() + 64];
    }

    /** Consumes bytes of {@code data} until the line is complete or known to be wrong. */
    Verdict feed(ByteBuffer data) {
        while (data.hasRemaining()) {
            byte c = data.get();
            if (c == '\n') return check();
            if (length == line.length) {
                wrong = "sent a wrong hello: got '" + seen() + "...' (no LF), expected '" + expected + "'";
                return Verdict.WRONG;
            }
            line[length++] = c;
        }
        return Verdict.INCOMPLETE;
    }

    private Verdict check() {
        int n = length;
        if (n > 0 && line[n - 1] == '\r') n--;
        if (new String(line, 0, n, StandardCharsets.UTF_8).equals(expected)) return Verdict.RIGHT;
        wrong = "sent a wrong hello: got '" + seen() + "', expected '" + expected + "'";
        return Verdict.WRONG;
    }

    /** Why the line was wrong (after {@link Verdict#WRONG}). */
    String wrong() {
        return wrong;
    }

    /** The bytes seen so far, printable ASCII as is, the rest escaped. */
    String seen() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int c = line[i] & 0xff;
            if (c == '\\') s.append("\\\\");
            else if (c >= 0x20 && c < 0x7f) s.append((char) c);
            else if (c == '\r') s.append("\\r");
            else if (c == '\t') s.append("\\t");
            else s.append(String.format("\\x%02x", c));
        }
        return s.toString();
    }
}
