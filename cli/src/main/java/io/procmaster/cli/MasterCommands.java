package io.procmaster.cli;

import io.procmaster.Master;
import io.procmaster.config.ConfigException;
import io.procmaster.config.ServiceTable;
import io.procmaster.status.ReloadResult;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's answers to control-socket commands and the reload that SIGHUP shares. Each waits
 * for the master's loop, so it runs on the control server's worker thread (or the SIGHUP thread),
 * never on the thread that reads clients.
 *
 * <p>The command lines (docs/cli.md, "The control socket"): {@code status} (the pid, uptime and
 * version line, then the per-service table), {@code status json}, {@code status openmetrics}
 * ({@link StatusFormat}), {@code reload} ({@code ok}, then {@link ReloadReport}'s sentence and the
 * warnings, one a line) and {@code stop}. An answer starts with a line {@code ok} (the body
 * follows) or is {@code error: <why>}; anything else is {@code error: unknown command}.
 * Failure modes: none thrown; every failure becomes an {@code error: <why>} answer and a log line.
 */
final class MasterCommands {
    private static final Logger log = LoggerFactory.getLogger(MasterCommands.class);

    private MasterCommands() {
    }

    /** The answer to one command line; for {@code stop}, the stop itself follows once answered. */
    static String answer(Master master, String command) {
        try {
            if (command.equals("status") || command.startsWith("status ")) {
                return status(master, command.substring("status".length()).strip());
            }
            switch (command) {
                case "reload":
                    return reload(master);
                case "stop":
                    return "ok stopping\n";
                default:
                    return "error: unknown command \"" + command + "\" (status [json|openmetrics], reload, stop)\n";
            }
        } catch (IOException | RuntimeException e) {
            log.error("{} failed: {}", command, e.getMessage());
            return "error: " + e.getMessage() + "\n";
        }
    }

    /**
     * Re-reads master.cf and applies it (the control socket's reload and SIGHUP alike); logs the
     * outcome and returns the answer: {@code ok}, the changes in words and the warnings, or {@code error: <why>}
     * with the old configuration still running.
     */
    static synchronized String reload(Master master) {
        // synchronized: SIGHUP and the control socket both come here, so the table before and after
        // one reload are not another's.
        try {
            ServiceTable before = master.table();
            ReloadResult r = master.reload();
            String words = ReloadReport.describe(r.summary(), before, master.table());
            log.info("{}", words);
            StringBuilder sb = new StringBuilder("ok\n" + words + "\n");
            r.warnings().forEach(w -> sb.append("warning: ").append(w).append('\n'));
            return sb.toString();
        } catch (ConfigException e) {
            log.error("reload refused, the old configuration stays: {}", e.report());
            return "error: " + e.report() + "\n";
        } catch (IOException | RuntimeException e) {
            log.error("reload failed, the old configuration stays: {}", e.getMessage());
            return "error: " + e.getMessage() + "\n";
        }
    }

    /** {@code status} with no word is the table; {@code json} and {@code openmetrics} the documents. */
    private static String status(Master master, String word) throws IOException {
        StatusFormat format = word.isEmpty() ? StatusFormat.TEXT : StatusFormat.ofWord(word);
        if (format == null) {
            return "error: unknown status format \"" + word + "\" (json, openmetrics)\n";
        }
        MasterIdentity identity = MasterIdentity.of(master);
        return "ok\n" + switch (format) {
            case TEXT -> identity.headline() + "\n" + master.statusText();
            case JSON -> StatusJson.render(identity, master.status());
            case OPENMETRICS -> StatusOpenMetrics.render(identity, master.status());
        };
    }
}
