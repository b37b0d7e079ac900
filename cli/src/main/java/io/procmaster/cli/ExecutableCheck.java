package io.procmaster.cli;

import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code procmaster check}'s second half: every service's program must exist and be executable,
 * the program {@code run} would execute ({@link ServiceSpec#executable()}: the command if absolute,
 * else under {@code daemon_directory}). Otherwise {@code run} would only find out at the first
 * spawn, and throttle the service (docs/cli.md, "check").
 *
 * <p>Each problem is one line {@code <master.cf>: line N: service "<name>" (<id>): command <path>:
 * <why>}, why being {@code no such file}, {@code not a regular file} or {@code not executable}.
 * The line is the entry's first physical line, as the parser recorded it in the table
 * ({@link ServiceTable#line}; a later duplicate wins, as in the table).
 *
 * <p>Failure modes: none thrown; a service the table has no line for (built in Java) is
 * {@code line ?}.
 */
final class ExecutableCheck {

    private ExecutableCheck() {
    }

    /** The problems of {@code table}, parsed from {@code masterCf} by {@code parser}; empty when every program runs. */
    static List<String> problems(Path masterCf, ServiceTable table) {
        List<String> problems = new ArrayList<>();
        for (ServiceSpec s : table.services()) {
            String why = why(s.executable());
            if (why != null) {
                String line = table.line(s.key()).map(String::valueOf).orElse("?");
                problems.add(masterCf + ": line " + line + ": service \"" + s.name() + "\" ("
                        + s.key() + "): command " + s.executable() + ": " + why);
            }
        }
        return problems;
    }

    private static String why(Path program) {
        if (!Files.exists(program)) {
            return "no such file";
        }
        if (!Files.isRegularFile(program)) {
            return "not a regular file";
        }
        return Files.isExecutable(program) ? null : "not executable";
    }
}
