package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.annotation.Testable;

/**
 * docs/helpers.md, part "Squid 5.7 fidelity" (issue 12, acceptance 2: each row tested): every table
 * in it ends with a "Test" column, every row names at least one test there, and every test it names
 * exists, in the notation that part states:
 *
 * <ul>
 *   <li>{@code `Class`}: a test class (io.procmaster.helper and its packages wire, squid, pool,
 *       process); {@code `Class.method`}: one of its test methods; a lower-case {@code `method`}: a
 *       test method of the class named last before it in the cell;
 *   <li>a method name ending in {@code …} is a prefix: at least one test method begins with it;
 *   <li>outside parentheses the cell holds only such names and separators ({@code , ;}); remarks go
 *       in parentheses, where code spans are free.
 * </ul>
 *
 * <p>A test method is one carrying an annotation JUnit marks {@link Testable}, directly or through
 * its meta-annotations ({@code @Test}, {@code @ParameterizedTest}, Jazzer's {@code @FuzzTest}). Failure modes: one assertion failure listing every bad row.
 */
class HelperDocsTablesTest {
    private static final Path DOC = Path.of("..", "docs", "helpers.md");
    private static final String PART = "## Squid 5.7 fidelity";
    private static final String[] PACKAGES = {
        "io.procmaster.helper", "io.procmaster.helper.wire", "io.procmaster.helper.squid",
        "io.procmaster.helper.pool", "io.procmaster.helper.process"};
    private static final Pattern NAME = Pattern.compile("([A-Z]\\w*Test)(?:\\.(\\w+…?))?|([a-z]\\w*…?)");

    @Test
    void everyRowOfEverySquidFidelityTableNamesTestsThatExist() throws Exception {
        Map<String, List<Table>> sections = squidFidelityTables(Files.readAllLines(DOC));
        assertThat(sections.keySet()).as("sections of '%s'", PART).containsExactly(
                "### squid.conf → procmaster", "### Squid reads → procmaster reads", "### Squid does → procmaster does");
        assertThat(sections.get("### squid.conf → procmaster")).as("the squid.conf sub-tables").hasSizeGreaterThanOrEqualTo(6);
        assertThat(sections.get("### Squid reads → procmaster reads")).as("one table of Squid's reading").hasSize(1);
        assertThat(sections.get("### Squid does → procmaster does")).as("one table of Squid's behaviour").hasSize(1);

        List<String> errors = new ArrayList<>();
        int rows = 0;
        for (List<Table> tables : sections.values()) {
            for (Table t : tables) {
                List<String> header = cells(t.header);
                if (!header.get(header.size() - 1).equalsIgnoreCase("Test"))
                    errors.add("line " + t.headerLine + ": the last column is not 'Test': " + t.header);
                for (int i = 0; i < t.rows.size(); i++) {
                    String row = t.rows.get(i);
                    int line = t.headerLine + 2 + i;
                    List<String> c = cells(row);
                    if (c.size() != header.size()) {
                        errors.add("line " + line + ": " + c.size() + " cells, the header has " + header.size() + ": " + row);
                        continue;
                    }
                    rows++;
                    checkTestCell(c.get(c.size() - 1), "line " + line + ": ", errors);
                }
            }
        }
        assertThat(rows).as("rows checked").isGreaterThanOrEqualTo(60);
        assertThat(errors).as("rows of docs/helpers.md '%s' that do not name existing tests", PART).isEmpty();
    }

    /** The tables of the part, by its "###" section, in order. */
    private static Map<String, List<Table>> squidFidelityTables(List<String> lines) {
        int at = lines.indexOf(PART);
        assertThat(at).as("the part '%s' in %s", PART, DOC).isNotNegative();
        Map<String, List<Table>> sections = new LinkedHashMap<>();
        List<Table> current = null;
        for (int i = at + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String l = lines.get(i);
            if (l.startsWith("### ")) {
                current = new ArrayList<>();
                sections.put(l, current);
            } else if (l.startsWith("|")) {
                assertThat(current).as("line %d: a table before the part's first section", i + 1).isNotNull();
                assertThat(i + 1 < lines.size() && lines.get(i + 1).startsWith("|---"))
                        .as("line %d: a table header followed by its separator: %s", i + 1, l).isTrue();
                Table t = new Table(i + 1, l);
                for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) t.rows.add(lines.get(i));
                current.add(t);
                i--;
            }
        }
        return sections;
    }

    /** The cells of a row: split on '|' that is not escaped ({@code \|} is a '|' inside a cell). */
    private static List<String> cells(String row) {
        String inner = row.trim();
        inner = inner.substring(1, inner.endsWith("|") && !inner.endsWith("\\|") ? inner.length() - 1 : inner.length());
        List<String> out = new ArrayList<>();
        for (String c : inner.split("(?<!\\\\)\\|", -1)) out.add(c.trim());
        return out;
    }

    private static void checkTestCell(String cell, String where, List<String> errors) {
        // Code spans outside parentheses are test names; everything else there must be a separator.
        List<String> names = new ArrayList<>();
        StringBuilder outside = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < cell.length(); i++) {
            char ch = cell.charAt(i);
            if (ch == '`') {
                int end = cell.indexOf('`', i + 1);
                if (end < 0) {
                    errors.add(where + "an unclosed code span in the test cell: " + cell);
                    return;
                }
                if (depth == 0) names.add(cell.substring(i + 1, end));
                i = end;
            } else if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                if (--depth < 0) {
                    errors.add(where + "a ')' without its '(' in the test cell: " + cell);
                    return;
                }
            } else if (depth == 0) {
                outside.append(ch);
            }
        }
        if (depth != 0) errors.add(where + "an unclosed '(' in the test cell: " + cell);
        String stray = outside.toString().replaceAll("[\\s,;]", "");
        if (!stray.isEmpty()) errors.add(where + "text outside parentheses that is not a test name (" + stray + "): " + cell);
        if (names.isEmpty()) errors.add(where + "no test named: " + cell);
        Class<?> last = null;
        for (String name : names) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                errors.add(where + "`" + name + "` is not a test name (Class, Class.method, method, prefix…)");
                continue;
            }
            String member;
            if (m.group(1) != null) {
                Optional<Class<?>> c = testClass(m.group(1));
                if (c.isEmpty()) {
                    errors.add(where + "no test class " + m.group(1) + " in " + String.join(", ", PACKAGES));
                    last = null;
                    continue;
                }
                last = c.get();
                member = m.group(2);
                if (member == null) {
                    if (testMethods(last).isEmpty()) errors.add(where + last.getSimpleName() + " has no test method");
                    continue;
                }
            } else {
                member = m.group(3);
                if (last == null) {
                    errors.add(where + "`" + member + "` follows no class name in the cell");
                    continue;
                }
            }
            boolean prefix = member.endsWith("…");
            String stem = prefix ? member.substring(0, member.length() - 1) : member;
            boolean found = testMethods(last).stream().anyMatch(n -> prefix ? n.startsWith(stem) : n.equals(stem));
            if (!found)
                errors.add(where + last.getSimpleName() + " has no test method " + (prefix ? "beginning with " : "named ") + stem);
        }
    }

    private static Optional<Class<?>> testClass(String simpleName) {
        List<Class<?>> found = new ArrayList<>();
        for (String pkg : PACKAGES) {
            try {
                found.add(Class.forName(pkg + "." + simpleName));
            } catch (ClassNotFoundException e) {
                // not in this package
            }
        }
        assertThat(found).as("test class %s in more than one package", simpleName).hasSizeLessThanOrEqualTo(1);
        return found.stream().findFirst();
    }

    private static List<String> testMethods(Class<?> c) {
        return Arrays.stream(c.getDeclaredMethods()).filter(HelperDocsTablesTest::isTest).map(Method::getName).toList();
    }

    private static boolean isTest(Method m) {
        for (Annotation a : m.getAnnotations())
            if (testable(a.annotationType(), new HashSet<>())) return true;
        return false;
    }

    /** Whether {@code type} is {@link Testable} or carries it through its meta-annotations ({@code @ParameterizedTest}, {@code @FuzzTest}). */
    private static boolean testable(Class<? extends Annotation> type, Set<Class<?>> seen) {
        if (type == Testable.class) return true;
        if (!seen.add(type)) return false;
        for (Annotation meta : type.getAnnotations())
            if (testable(meta.annotationType(), seen)) return true;
        return false;
    }

    private static final class Table {
        final int headerLine;
        final String header;
        final List<String> rows = new ArrayList<>();

        Table(int headerLine, String header) {
            this.headerLine = headerLine;
            this.header = header;
        }
    }
}
