package io.procmaster.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the text of master.cf or main.cf into logical lines (docs/postfix-master.md §1.1.2).
 *
 * <p>Rules: a line that is empty, only whitespace, or whose first non-whitespace character
 * is {@code #} is ignored, wherever it appears (so a comment between a line and its
 * continuation does not end the logical line, as in Postfix). A line that starts with
 * whitespace continues the previous logical line. A continuation line with no logical line
 * before it is kept as a logical line of its own, so the caller reports it. Line ends may be
 * {@code \n} or {@code \r\n}. Trailing whitespace is removed.
 *
 * <p>Failure modes: none; this is pure text processing.
 */
final class LogicalLines {

    private LogicalLines() {
    }

    /** The logical lines of {@code content}, in file order. */
    public static List<LogicalLine> split(String content) {
        List<LogicalLine> out = new ArrayList<>();
        StringBuilder current = null;
        int currentLine = 0;
        String[] physical = content.split("\r?\n", -1);
        for (int i = 0; i < physical.length; i++) {
            String raw = physical[i];
            String stripped = raw.strip();
            if (stripped.isEmpty() || stripped.charAt(0) == '#') {
                continue;
            }
            boolean continuation = Character.isWhitespace(raw.charAt(0));
            if (continuation && current != null) {
                current.append(' ').append(stripped);
            } else {
                if (current != null) {
                    out.add(new LogicalLine(currentLine, current.toString()));
                }
                current = new StringBuilder(stripped);
                currentLine = i + 1;
            }
        }
        if (current != null) {
            out.add(new LogicalLine(currentLine, current.toString()));
        }
        return out;
    }
}
