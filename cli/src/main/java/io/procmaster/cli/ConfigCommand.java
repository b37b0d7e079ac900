package io.procmaster.cli;

import io.procmaster.config.ConfigException;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.TimeValues;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code procmaster config [-n] [--main main.cf] [-o name=value]}: the master-wide parameters the
 * master reads ({@link MasterConfig#defaultValues()} and {@code throttle_max_time}), one
 * {@code name = value} a line, sorted by name, as {@code postconf} prints them; with {@code -n} only
 * those set explicitly in main.cf or by {@code -o}, as {@code postconf -n} (docs/cli.md, "config").
 * Values are as written; {@code throttle_max_time}, when not set, is the value derived from
 * {@code service_throttle_time}. The output is itself valid main.cf. Parameters the master does not
 * read are not shown (check and run warn about them).
 *
 * <p>Exit 0; 1 with the errors (file, line, parameter, value) when main.cf or an override is bad.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print the master-wide parameters in effect (name = value); -n: only those set explicitly.")
final class ConfigCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ProcmasterCommand.ConfigOptions options = new ProcmasterCommand.ConfigOptions();

    @Option(names = "-n", description = "only the parameters set in main.cf or by -o (as postconf -n)")
    boolean explicitOnly;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        MasterConfig config;
        try {
            config = options.load();
        } catch (ConfigException e) {
            spec.commandLine().getErr().println(e.report());
            return 1;
        }
        Map<String, String> shown = new TreeMap<>();
        for (String name : MasterConfig.defaultValues().keySet()) {
            shown.put(name, config.get(name).orElse(""));
        }
        shown.put(MasterConfig.THROTTLE_MAX_TIME, config.get(MasterConfig.THROTTLE_MAX_TIME)
                .orElseGet(() -> TimeValues.format(config.throttleMaxTime())));
        if (explicitOnly) {
            shown.keySet().retainAll(config.explicitParameters().keySet());
        }
        PrintWriter out = spec.commandLine().getOut();
        shown.forEach((name, value) -> out.println(value.isEmpty() ? name + " =" : name + " = " + value));
        out.flush();
        return 0;
    }
}
