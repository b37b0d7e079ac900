package io.procmaster.cli;

import io.procmaster.config.ConfigException;
import io.procmaster.config.MasterCfParser;
import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code procmaster check}'s second half: every service's program must exist and be executable,
 * the program {@code run} would execute ({@link ServiceSpec#executable()}: the command if absolute,
 * else under {@code daemon_directory}). Otherwise {@code run} would only find out at the first
 * spawn, and throttle the service (docs/cli.md, "check").
 *
 * <p>Each problem is one line {@code <master.cf>: line N: service "<name>" (<id>): command <path>:
 * <why>}, why being {@code no such file}, {@code not a regular file} or {@code not executable}.
 * The line is the entry's first physical line, found by parsing each logical line alone with the
 * same parser (a later duplicate wins, as in the table).
 *
 * <p>Failure modes: none thrown for a file the parser accepted; an unreadable file gives problems
 * without line numbers ({@code line ?}).
 */
final class ExecutableCheck {

    private ExecutableCheck() {
    }

    /** The problems of {@code table}, parsed from {@code masterCf} by {@code parser}; empty when every program runs. */
    static List<String> problems(Path masterCf, MasterCfParser parser, ServiceTable table) {
        Map<String, Integer> lines = parser.serviceLines(masterCf);
        List<String> problems = new ArrayList<>();
        for (ServiceSpec s : table.services()) {
            String why = why(s.executable());
            if (why != null) {
                Integer line = lines.get(s.key().toString());
                problems.add(masterCf + ": line " + (line == null ? "?" : line) + ": service \"" + s.name() + "\" ("
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
