package io.procmaster.helper.squid;

import io.procmaster.helper.wire.ReplyText;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * squid.conf's physical lines made into the logical lines Squid parses (src/cache_cf.cc
 * parseOneConfigFile, Squid 5.7): a line is cut at its first CR; leading whitespace goes; a line
 * starting with {@code #} is a comment ({@code #line N "file"} renumbers); empty lines are skipped;
 * a line ending in {@code \} continues on the next non-comment line (its leading whitespace
 * dropped); trailing whitespace goes; {@code ${service_name}}, {@code ${process_name}} and
 * {@code ${process_number}} are replaced as in {@code squid -k parse} ({@code squid}, {@code squid},
 * {@code 0}); {@code if}/{@code else}/{@code endif} with {@code true}, {@code false} or
 * {@code N = M} select lines; {@code include} reads the files its words name (glob patterns in the
 * last path component, sorted as glob(3) sorts; relative paths against the working directory, as
 * Squid's are), nested at most 16 deep.
 *
 * <p>Bytes are read as UTF-8, or as ISO-8859-1 where they are not UTF-8, so no byte is lost
 * (the rule of a helper's replies: {@code helper.wire.ReplyText}).
 * Failure modes: {@link SquidConfException} for a file that cannot be read, an include that
 * matches nothing or nests too deep, a pipe ({@code !cmd}, {@code |cmd}: procmaster runs no
 * command to read its configuration), an unbalanced or unreadable {@code if}.
 */
final class ConfReader {
    static final String SERVICE_NAME = "squid";
    static final String PROCESS_NAME = "squid";
    static final String PROCESS_NUMBER = "0";
    private static final int MAX_DEPTH = 16;
    private static final Pattern LINE_DIRECTIVE = Pattern.compile("#line (\\d+)\\s*(?:\"([^\"]*)\"?)?\\s*.*");

    private final List<SourceLine> out = new ArrayList<>();

    /** Every logical line of {@code text} (named {@code fileName}) and of the files it includes, in order. */
    static List<SourceLine> read(String text, String fileName) throws SquidConfException {
        ConfReader r = new ConfReader();
        r.lines(text, fileName, 0);
        return r.out;
    }

    /** Every logical line of {@code file} and of the files it includes, in order. */
    static List<SourceLine> read(Path file) throws SquidConfException {
        ConfReader r = new ConfReader();
        r.file(file.toString(), 0, null, 0);
        return r.out;
    }

    private void file(String name, int depth, String fromFile, int fromLine) throws SquidConfException {
        if (depth > MAX_DEPTH)
            throw new SquidConfException(fromFile, fromLine, "include", name, "can't include " + name + ": includes are nested too deeply (>16)!");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(name));
        } catch (IOException | RuntimeException e) {
            throw new SquidConfException(fromFile == null ? name : fromFile, fromLine, fromFile == null ? null : "include", name,
                    "Unable to open configuration file: " + name + ": " + e, e);
        }
        lines(ReplyText.decode(bytes, 0, bytes.length), name, depth);
    }

    private void lines(String text, String fileName, int depth) throws SquidConfException {
        String file = fileName;
        String[] physical = text.split("\n", -1);
        int lineNo = 0;
        StringBuilder logical = null;
        int firstLine = 0;
        List<Boolean> ifStates = new ArrayList<>();
        List<SourceLine> ifLines = new ArrayList<>();
        for (int i = 0; i < physical.length; i++) {
            lineNo++;
            if (i == physical.length - 1 && physical[i].isEmpty()) break;
            String p = physical[i];
            int cr = p.indexOf('\r');
            if (cr >= 0) p = p.substring(0, cr);
            p = stripLeading(p);
            if (p.startsWith("#line ")) {
                Matcher m = LINE_DIRECTIVE.matcher(p);
                if (m.matches()) {
                    lineNo = Integer.parseInt(m.group(1)) - 1;
                    if (m.group(2) != null) file = m.group(2);
                }
            }
            if (p.startsWith("#") || p.isEmpty()) continue;
            if (logical == null) {
                logical = new StringBuilder(p);
                firstLine = lineNo;
            } else {
                logical.append(p);
            }
            if (logical.charAt(logical.length() - 1) == '\\') {
                logical.setLength(logical.length() - 1);
                continue;
            }
            String line = macros(logical.toString().stripTrailing());
            logical = null;
            if (line.isEmpty()) continue;
            statement(new SourceLine(file, firstLine, line), ifStates, ifLines, depth);
        }
        if (logical != null) { // a continuation at the end of the file: Squid drops the unfinished line
            throw new SquidConfException(file, firstLine, null, logical.toString(), "the file ends inside a continued line (a '\\' at the end of the last line)");
        }
        if (!ifLines.isEmpty()) {
            SourceLine open = ifLines.get(ifLines.size() - 1);
            throw new SquidConfException(open.file(), open.line(), "if", statementArgument(open.text(), "if"), "if-statement without 'endif'");
        }
    }

    private void statement(SourceLine line, List<Boolean> ifStates, List<SourceLine> ifLines, int depth) throws SquidConfException {
        String text = line.text();
        String expr = statementArgument(text, "if");
        if (expr != null) {
            ifStates.add(evaluate(expr, line));
            ifLines.add(line);
        } else if (statementArgument(text, "endif") != null) {
            if (ifStates.isEmpty()) throw new SquidConfException(line.file(), line.line(), "endif", null, "'endif' without 'if'");
            ifStates.remove(ifStates.size() - 1);
            ifLines.remove(ifLines.size() - 1);
        } else if (statementArgument(text, "else") != null) {
            if (ifStates.isEmpty()) throw new SquidConfException(line.file(), line.line(), "else", null, "'else' without 'if'");
            ifStates.set(ifStates.size() - 1, !ifStates.get(ifStates.size() - 1));
        } else if (ifStates.isEmpty() || ifStates.get(ifStates.size() - 1)) {
            if (text.length() >= 9 && text.startsWith("include") && isSpace(text.charAt(7))) {
                include(text.substring(8), line, depth);
            } else {
                out.add(line);
            }
        }
    }

    /** Squid's FindStatement: the words after {@code word} when the line starts with it, else null. */
    private static String statementArgument(String text, String word) {
        if (!text.startsWith(word)) return null;
        if (text.length() == word.length()) return "";
        return isSpace(text.charAt(word.length())) ? stripLeading(text.substring(word.length())) : null;
    }

    private static boolean evaluate(String expr, SourceLine line) throws SquidConfException {
        if (expr.equals("true")) return true;
        if (expr.equals("false")) return false;
        int eq = expr.indexOf('=');
        if (eq >= 0) {
            Long a = integer(expr.substring(0, eq).strip());
            Long b = integer(stripLeading(expr.substring(eq + 1)));
            if (a == null || b == null) throw new SquidConfException(line.file(), line.line(), "if", expr, "String is not a integer number");
            return a.longValue() == b.longValue();
        }
        throw new SquidConfException(line.file(), line.line(), "if", expr, "Unable to evaluate expression '" + expr + "'");
    }

    /** C's strtol with base 0 over the whole string (decimal, 0x hex, 0 octal), or null. */
    private static Long integer(String s) {
        try {
            String t = s.startsWith("+") ? s.substring(1) : s;
            boolean neg = t.startsWith("-");
            if (neg) t = t.substring(1);
            long v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16)
                    : t.length() > 1 && t.startsWith("0") ? Long.parseLong(t.substring(1), 8) : Long.parseLong(t);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void include(String words, SourceLine line, int depth) throws SquidConfException {
        for (String pattern : Words.split(words)) {
            if (pattern.startsWith("!") || pattern.startsWith("|"))
                throw new SquidConfException(line.file(), line.line(), "include", pattern, "reading configuration from a command is not supported");
            for (Path p : glob(pattern, line)) file(p.toString(), depth + 1, line.file(), line.line());
        }
    }

    private static List<Path> glob(String pattern, SourceLine line) throws SquidConfException {
        Path path = Path.of(pattern);
        String last = path.getFileName() == null ? "" : path.getFileName().toString();
        Path dir = path.getParent() == null ? Path.of("") : path.getParent();
        boolean wild = last.matches(".*[*?\\[].*");
        if (dir.toString().matches(".*[*?\\[].*"))
            throw new SquidConfException(line.file(), line.line(), "include", pattern, "glob patterns are supported in the last path component only");
        List<Path> found = new ArrayList<>();
        if (!wild) {
            if (Files.exists(path)) found.add(path);
        } else {
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + last);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.toString().isEmpty() ? Path.of(".") : dir)) {
                for (Path p : ds) {
                    String n = p.getFileName().toString();
                    if (m.matches(p.getFileName()) && !(n.startsWith(".") && !last.startsWith("."))) found.add(dir.resolve(n));
                }
            } catch (IOException e) {
                found.clear();
            }
            found.sort(null);
        }
        if (found.isEmpty())
            throw new SquidConfException(line.file(), line.line(), "include", pattern, "Unable to find configuration file: " + pattern + ": No such file or directory");
        return found;
    }

    private static String macros(String line) {
        return line.replace("${service_name}", SERVICE_NAME).replace("${process_name}", PROCESS_NAME)
                .replace("${process_number}", PROCESS_NUMBER);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && isSpace(s.charAt(i))) i++;
        return s.substring(i);
    }
}
