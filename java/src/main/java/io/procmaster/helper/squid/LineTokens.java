package io.procmaster.helper.squid;

/**
 * The words of one logical squid.conf line, read as Squid's {@code ConfigParser} reads them
 * (src/ConfigParser.cc, Squid 5.7): whitespace-separated tokens; a {@code #} where a token would
 * start ends the line; quoted tokens ({@code "..."} or {@code '...'}, with {@code \r \n \t} and
 * {@code \"} escapes) where Squid recognises them: always for a program's words
 * ({@link #nextQuoted}, Squid's NextQuotedToken), for plain tokens only under
 * {@code configuration_includes_quoted_values on}, which also makes unquoted tokens strict.
 *
 * <p>Interface: {@link #next}, {@link #nextQuoted}, {@link #peek}, {@link #restOfLine} (Squid's
 * NextQuotedOrToEol), {@link #nextKey} (the key of a {@code key=value} pair); each returns null at
 * the end of the line. Failure modes: a malformed quoted token, a {@code name(} function other
 * than Squid's {@code parameters(...)} (not supported here) or a strict-mode character Squid
 * refuses throws {@link SquidConfException} with Squid's text.
 */
final class LineTokens {
    private static final String SPACE = " \t\n\r";
    private final String line;
    private final boolean quotedValues;
    private final Diagnostics diagnostics;
    private int pos;

    LineTokens(String line, int start, boolean quotedValues, Diagnostics diagnostics) {
        this.line = line;
        this.pos = start;
        this.quotedValues = quotedValues;
        this.diagnostics = diagnostics;
    }

    /** The next token (Squid's NextToken). */
    String next() throws SquidConfException {
        return token(quotedValues, quotedValues, Mode.WORD);
    }

    /** The next token, quoted values recognised whatever the setting (Squid's NextQuotedToken). */
    String nextQuoted() throws SquidConfException {
        return token(true, quotedValues, Mode.WORD);
    }

    /** The next token without consuming it; a malformed one peeks as Squid's {@code [invalid token]}. */
    String peek() {
        int saved = pos;
        try {
            return next();
        } catch (SquidConfException e) {
            return "[invalid token]";
        } finally {
            pos = saved;
        }
    }

    /** The rest of the line, or one quoted value where quoted values are recognised (Squid's NextQuotedOrToEol). */
    String restOfLine() throws SquidConfException {
        return token(quotedValues, quotedValues, Mode.TO_END);
    }

    /** The key of a {@code key=value} pair: everything up to the next {@code =} (Squid's NextKvPair). */
    String nextKey() throws SquidConfException {
        return token(quotedValues, quotedValues, Mode.KEY);
    }

    /** Whether only whitespace or a comment is left. */
    boolean atEnd() {
        return peekRaw() == null;
    }

    /** Every token left, for a warning that names what was ignored; consumes them. */
    String drain() {
        StringBuilder sb = new StringBuilder();
        for (String t; (t = peekRaw()) != null; ) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(t);
            pos = skip(pos);
            while (pos < line.length() && SPACE.indexOf(line.charAt(pos)) < 0) pos++;
        }
        return sb.toString();
    }

    private String peekRaw() {
        int p = skip(pos);
        if (p >= line.length() || line.charAt(p) == '#') return null;
        int e = p;
        while (e < line.length() && SPACE.indexOf(line.charAt(e)) < 0) e++;
        return line.substring(p, e);
    }

    private int skip(int p) {
        while (p < line.length() && SPACE.indexOf(line.charAt(p)) >= 0) p++;
        return p;
    }

    private enum Mode { WORD, TO_END, KEY }

    private String token(boolean recogniseQuotes, boolean strict, Mode mode) throws SquidConfException {
        if (pos >= line.length()) return null;
        pos = skip(pos);
        if (pos >= line.length() || line.charAt(pos) == '#') return null;
        char c = line.charAt(pos);
        if (recogniseQuotes && (c == '"' || c == '\'')) return unquote();
        int start = pos;
        String separators = mode == Mode.KEY ? "=" : mode == Mode.TO_END ? "\n"
                : !recogniseQuotes || c == '(' ? SPACE : SPACE + "(";
        while (pos < line.length() && separators.indexOf(line.charAt(pos)) < 0) pos++;
        if (recogniseQuotes && mode == Mode.WORD && pos < line.length() && line.charAt(pos) == '(') {
            String name = line.substring(start, pos);
            throw diagnostics.error(name + "(", name.equals("parameters")
                    ? "parameters(\"file\") is not supported: write the values on the line"
                    : "Unknown cfg function: " + line.substring(start));
        }
        String token = line.substring(start, pos);
        if (strict && mode == Mode.WORD) checkStrict(token);
        if (pos < line.length() && line.charAt(pos) != '#') pos++;
        return token.isEmpty() ? null : token;
    }

    /** Squid's strict mode: an unquoted token holds letters, digits and {@code .,()-=_/:+}, or is a number with a trailing {@code %}. */
    private void checkStrict(String token) throws SquidConfException {
        boolean number = true;
        for (int i = 0; i < token.length(); i++) {
            char ch = token.charAt(i);
            boolean valid = Character.isLetterOrDigit(ch) && ch < 128 || ".,()-=_/:+".indexOf(ch) >= 0
                    || number && ch == '%' && i == token.length() - 1;
            if (!Character.isDigit(ch)) number = false;
            if (!valid) throw diagnostics.error(token, "Not alphanumeric character '" + ch + "' in unquoted token " + token);
        }
    }

    private String unquote() throws SquidConfException {
        char quote = line.charAt(pos);
        int s = pos + 1;
        StringBuilder out = new StringBuilder();
        while (s < line.length() && line.charAt(s) != quote) {
            char ch = line.charAt(s);
            if (ch == '\\' && s + 1 < line.length()) {
                char e = line.charAt(++s);
                if (e == 'r') out.append('\r');
                else if (e == 'n') out.append('\n');
                else if (e == 't') out.append('\t');
                else if (Character.isLetterOrDigit(e) && e < 128)
                    throw diagnostics.error(line.substring(pos), "Unsupported escape sequence: " + line.substring(s));
                else out.append(e);
            } else {
                out.append(ch);
            }
            s++;
        }
        if (s >= line.length()) throw diagnostics.error(line.substring(pos), "missing quote char at the end of quoted string");
        int after = s + 1;
        if (after < line.length() && (SPACE + "()#").indexOf(line.charAt(after)) < 0)
            throw diagnostics.error(line.substring(pos), "Expecting space after the end of quoted token");
        pos = after;
        return out.toString();
    }
}
