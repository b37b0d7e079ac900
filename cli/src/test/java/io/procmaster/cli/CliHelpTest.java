package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Issue 10, CLI: {@code --help} on every subcommand and {@code procmaster help <command>} (docs/cli.md). */
class CliHelpTest {

    /** The documented commands, and whatever else the command line registers. */
    private static Set<String> subcommands() {
        Set<String> names = new LinkedHashSet<>(List.of("run", "check", "config", "status", "reload", "stop", "help"));
        names.addAll(new CommandLine(new ProcmasterCommand()).getSubcommands().keySet());
        return names;
    }

    @Test
    void helpOptionOnEverySubcommandPrintsItsUsageAndExitsZero() {
        for (String name : subcommands()) {
            for (String option : List.of("--help", "-h")) {
                CliRun r = CliRun.of(name, option);
                assertThat(r.code()).as("%s %s: %s", name, option, r.err()).isZero();
                // help's own usage opens with its description line, the others with "Usage:"
                assertThat(r.out()).as("%s %s", name, option).containsPattern("(?m)^Usage: procmaster " + name + " ");
                assertThat(r.out().startsWith("Usage: ") || name.equals("help")).as("%s %s", name, option).isTrue();
                assertThat(r.err()).as("%s %s", name, option).isEmpty();
            }
        }
    }

    @Test
    void helpCommandPrintsTheUsageOfTheCommandNamed() {
        CliRun status = CliRun.of("help", "status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).startsWith("Usage: procmaster status").contains("--json", "--format", "--socket");
        CliRun all = CliRun.of("help");
        assertThat(all.code()).isZero();
        for (String name : subcommands()) {
            assertThat(all.out()).as("help lists %s", name).containsPattern("(?m)^\\s+" + name + "\\b");
        }
    }

    @Test
    void helpForAnUnknownCommandIsAUsageError() {
        CliRun r = CliRun.of("help", "nosuch");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("nosuch");
    }
}
