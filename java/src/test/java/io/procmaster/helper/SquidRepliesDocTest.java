package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/helpers.md, table "Squid reads → procmaster reads": every row names at least one test, and
 * every test it names exists ({@code Class.method}, {@code Class} alone, or {@code …method} for a
 * method of the class named just before it in the row).
 */
class SquidRepliesDocTest {
    private static final Pattern NAME = Pattern.compile("`(?:(\\w+Test)(?:\\.(\\w+))?|…(\\w+))`");

    @Test
    void everyRowOfTheRepliesTableNamesTestsThatExist() throws Exception {
        List<String> rows = tableRows(Files.readAllLines(Path.of("..", "docs", "helpers.md")));
        assertThat(rows).as("rows of the table").hasSizeGreaterThanOrEqualTo(10);
        for (String row : rows) {
            String testCell = row.substring(row.lastIndexOf('|', row.length() - 2));
            Matcher m = NAME.matcher(testCell);
            int named = 0;
            Class<?> last = null;
            while (m.find()) {
                if (m.group(1) != null) {
                    last = testClass(m.group(1));
                    if (m.group(2) != null) assertHasMethod(last, m.group(2), row);
                } else {
                    assertThat(last).as("'…%s' follows a class name in: %s", m.group(3), row).isNotNull();
                    assertHasMethod(last, m.group(3), row);
                }
                named++;
            }
            assertThat(named).as("tests named in: %s", row).isPositive();
        }
    }

    private static List<String> tableRows(List<String> lines) {
        int at = lines.indexOf("## Replies: Squid reads → procmaster reads");
        assertThat(at).as("the section").isNotNegative();
        List<String> rows = new ArrayList<>();
        boolean inTable = false;
        for (int i = at + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String l = lines.get(i);
            if (!l.startsWith("|")) {
                if (inTable) break;
                continue;
            }
            inTable = true;
            if (l.startsWith("| Rule") || l.startsWith("|---")) continue;
            rows.add(l);
        }
        return rows;
    }

    private static Class<?> testClass(String simpleName) throws ClassNotFoundException {
        for (String pkg : new String[] {"io.procmaster.helper.", "io.procmaster.helper.wire."}) {
            try {
                return Class.forName(pkg + simpleName);
            } catch (ClassNotFoundException e) {
                // the next package
            }
        }
        throw new ClassNotFoundException("docs/helpers.md names test class " + simpleName + ", which does not exist");
    }

    private static void assertHasMethod(Class<?> c, String method, String row) {
        assertThat(Arrays.stream(c.getDeclaredMethods()).map(java.lang.reflect.Method::getName))
                .as("%s.%s named in: %s", c.getSimpleName(), method, row).contains(method);
    }
}
