package io.procmaster.helper.squid;

import java.util.ArrayList;
import java.util.List;

/**
 * Squid's {@code strwordtok} (src/String.cc, Squid 5.7), the word splitter of {@code include} lines
 * and of the {@code sslcrtd_program} and {@code sslcrtvalidator_program} command lines: words
 * separated by whitespace; {@code "} toggles quoting (whitespace inside quotes is kept); inside
 * quotes {@code \n}, {@code \r} and {@code \x} are escapes, outside them a backslash is itself.
 *
 * <p>No failure modes: every input splits.
 */
final class Words {
    private Words() {}

    /** The words of {@code text}. */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (true) {
            while (i < n && Character.isWhitespace(text.charAt(i))) i++;
            if (i >= n) return words;
            StringBuilder w = new StringBuilder();
            boolean quoted = false;
            for (; i < n; ) {
                char ch = text.charAt(i);
                if (ch == '\\') {
                    if (quoted) i++;
                    if (i >= n) break;
                    char e = text.charAt(i);
                    w.append(e == 'n' ? '\n' : e == 'r' ? '\r' : e);
                    i++;
                } else if (ch == '"') {
                    quoted = !quoted;
                    i++;
                } else if (!quoted && Character.isWhitespace(ch)) {
                    i++;
                    break;
                } else {
                    w.append(ch);
                    i++;
                }
            }
            words.add(w.toString());
        }
    }
}
