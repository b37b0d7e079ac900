package io.procmaster.cli;

import io.procmaster.Master;
import io.procmaster.config.ConfigException;
import io.procmaster.config.MasterCfParser;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceTable;
import io.procmaster.config.TimeValues;
import io.procmaster.time.Durations;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * The {@code procmaster} command (docs/cli.md): {@code run} a master in the foreground,
 * {@code check} a master.cf (syntax, and that every program exists and is executable), print the
 * master-wide parameters ({@code config [-n]}, {@link ConfigCommand}), and talk to a running master
 * over its control socket: {@code status} (table, {@code --json} or {@code --format openmetrics}),
 * {@code reload}, {@code stop}. {@code --help} on every subcommand and {@code help <command>}.
 * Exit status 0 on success, 1 on any error (with the reason on stderr), 2 on a usage error. The
 * control commands give up after {@code --timeout} (30s) and believe only a server run by root or
 * by the owner of the socket's directory ({@link ControlClient}).
 */
@Command(name = "procmaster", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "A Postfix-style process master for the JVM.",
        subcommands = {ProcmasterCommand.Run.class, ProcmasterCommand.Check.class, ConfigCommand.class,
                ProcmasterCommand.Status.class, ProcmasterCommand.Reload.class, ProcmasterCommand.Stop.class,
                CommandLine.HelpCommand.class})
public final class ProcmasterCommand {

    /** Options shared by every subcommand: where main.cf is and what overrides it. */
    static class ConfigOptions {
        @Option(names = "--main", paramLabel = "main.cf", description = "main.cf with master-wide parameters")
        Path mainCf;

        @Option(names = {"-o", "--override"}, paramLabel = "name=value",
                description = "override a main.cf parameter (repeatable)")
        List<String> overrides = new ArrayList<>();

        MasterConfig load() throws ConfigException {
            return Master.loadConfig(mainCf, overrides);
        }

        /** A master.cf parser for this main.cf and these overrides (it warns about unused parameters). */
        MasterCfParser parser() throws ConfigException {
            return Master.masterCfParser(mainCf, overrides);
        }
    }

    /** The control-socket commands: status, reload, stop; the line sent is {@link #request()} (docs/cli.md). */
    abstract static class ControlCommand implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigOptions options = new ConfigOptions();

        @Option(names = "--socket", paramLabel = "path", description = "control socket (default: from main.cf)")
        Path socket;

        @Option(names = "--timeout", paramLabel = "time", defaultValue = "30s", converter = TimeConverter.class,
                description = "give up when the whole answer is not there in time (default: ${DEFAULT-VALUE})")
        Duration timeout;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** The command line sent: the subcommand's name, and for status the form asked for. */
        String request() {
            return spec.name();
        }

        @Override
        public Integer call() throws Exception {
            String request = request();
            if (request == null) {
                return 2; // a usage error, already reported
            }
            Path path = socket;
            if (path == null) {
                try {
                    path = options.load().controlSocket();
                } catch (ConfigException e) {
                    spec.commandLine().getErr().println(e.report());
                    return 1;
                }
            }
            String answer;
            try {
                answer = ControlClient.send(path, request, timeout);
            } catch (ControlClient.NoAnswerException e) {
                spec.commandLine().getErr().println("procmaster: no answer from " + path + " within "
                        + ControlServer.span(timeout.toNanos()));
                return 1;
            } catch (PeerCredentials.UntrustedServerException e) {
                spec.commandLine().getErr().println("procmaster: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                spec.commandLine().getErr().println("procmaster: no master answers on " + path + ": " + e.getMessage());
                return 1;
            }
            if (answer.isEmpty()) {
                spec.commandLine().getErr().println("procmaster: " + path + " closed the connection without an answer");
                return 1;
            }
            if (answer.startsWith("error")) {
                spec.commandLine().getErr().print(answer);
                spec.commandLine().getErr().flush();
                return 1;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(answer.startsWith("ok\n") ? answer.substring(3) : answer);
            out.flush();
            return 0;
        }
    }

    /**
     * {@code --timeout}: a Postfix-style time value, seconds by default ({@code 30}, {@code 30s},
     * {@code 2m}), or a duration as procmaster prints them ({@code 1m30s}, {@code 250ms}).
     */
    static final class TimeConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d;
            try {
                d = TimeValues.parse(value, 's');
            } catch (IllegalArgumentException e) {
                try {
                    d = Durations.parse(value);
                } catch (IllegalArgumentException alsoNot) {
                    throw new CommandLine.TypeConversionException("bad time value \"" + value + "\": " + e.getMessage());
                }
            }
            if (d.isZero()) {
                throw new CommandLine.TypeConversionException("the timeout must be more than 0");
            }
            return d;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"The master's pid, uptime and version, then per service: processes, throttle, stress, "
                    + "spawns, bad startups, forged records.",
                "--json: one JSON document; --format openmetrics: the OpenMetrics text exposition."})
    static final class Status extends ControlCommand {
        @Option(names = "--json", description = "one JSON document (the same as --format json)")
        boolean json;

        @Option(names = "--format", paramLabel = "form", defaultValue = "text",
                description = "text, json or openmetrics (default: ${DEFAULT-VALUE})")
        StatusFormat format;

        @Override
        String request() {
            StatusFormat f = json ? StatusFormat.JSON : format;
            if (json && format != StatusFormat.TEXT && format != StatusFormat.JSON) {
                spec.commandLine().getErr().println("procmaster status: --json and --format " + format.word()
                        + " contradict each other");
                return null;
            }
            return f == StatusFormat.TEXT ? "status" : "status " + f.word();
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true,
            description = "Re-read master.cf and say what changed; a broken file keeps the old services and fails.")
    static final class Reload extends ControlCommand {
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop every child and the master.")
    static final class Stop extends ControlCommand {
    }

    /** The commands that read a master.cf given on the command line (with main.cf options). */
    abstract static class MasterCfCommand implements Callable<Integer> {
        @Parameters(paramLabel = "master.cf")
        Path masterCf;

        @CommandLine.Mixin
        ConfigOptions options = new ConfigOptions();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a master.cf, check that every command exists and is executable, "
                    + "and print the service table.")
    static final class Check extends MasterCfCommand {

        @Override
        public Integer call() {
            try {
                MasterCfParser parser = options.parser();
                ServiceTable table = parser.parse(masterCf);
                table.warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
                List<String> problems = ExecutableCheck.problems(masterCf, table);
                if (!problems.isEmpty()) {
                    problems.forEach(spec.commandLine().getErr()::println);
                    spec.commandLine().getErr().flush();
                    return 1;
                }
                spec.commandLine().getOut().print(table.format());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.report());
                return 1;
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the master in the foreground (SIGHUP reloads, SIGTERM stops).")
    static final class Run extends MasterCfCommand {
        private static final Logger log = LoggerFactory.getLogger("procmaster");

        @Override
        public Integer call() throws Exception {
            // SIGHUP is taken before the master starts: under systemd (Type=notify-reload) a reload
            // may come the moment READY=1 is out, before start returns, and the JVM's own SIGHUP
            // action is to exit. One that comes early is carried out once the master is there.
            // Whoever sees the master and takes the pending flag runs the reload: never lost, never twice.
            AtomicReference<Master> started = new AtomicReference<>();
            AtomicBoolean reloadPending = new AtomicBoolean();
            Signal.handle(new Signal("HUP"), s -> {
                reloadPending.set(true);
                Master m = started.get();
                if (m != null && reloadPending.getAndSet(false)) {
                    reload(m);
                }
            });
            Master master;
            try {
                // READY=1 waits for the control socket: `systemctl start && procmaster status` must work.
                master = Master.start(masterCf, options.mainCf, options.overrides, false);
            } catch (ConfigException e) {
                spec.commandLine().getErr().println(e.report());
                return 1;
            } catch (IOException e) {
                spec.commandLine().getErr().println("procmaster: " + e.getMessage());
                return 1;
            }
            started.set(master);
            if (reloadPending.getAndSet(false)) {
                reload(master);
            }
            CountDownLatch done = new CountDownLatch(1);
            Runnable stop = () -> master.stop().whenComplete((v, t) -> done.countDown());
            try (ControlServer control = new ControlServer(master.config().controlSocket(), master, stop)) {
                Signal.handle(new Signal("TERM"), s -> {
                    log.info("terminating on signal 15");
                    stop.run();
                });
                Signal.handle(new Signal("INT"), s -> {
                    log.info("terminating on signal 2");
                    stop.run();
                });
                log.info("daemon started -- version {}, pid {}; control socket {}", VersionProvider.version(),
                        ProcessHandle.current().pid(), master.config().controlSocket());
                master.announceReady(); // the services and the control socket are up (docs/systemd.md)
                done.await();
            } catch (IOException e) {
                spec.commandLine().getErr().println("procmaster: " + e.getMessage());
                master.close();
                return 1;
            }
            master.close();
            log.info("master stopped");
            return 0;
        }

        private static void reload(Master master) {
            // Off the signal thread: a reload waits for the loop. Logged like a control-socket reload.
            new Thread(() -> MasterCommands.reload(master), "procmaster-sighup").start();
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit status (for tests). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The same, writing to the given streams. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine().setOut(out).setErr(err).execute(args);
    }

    private static CommandLine commandLine() {
        return new CommandLine(new ProcmasterCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
