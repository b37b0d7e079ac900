package io.procmaster.cli;

import io.procmaster.Master;
import io.procmaster.status.ReloadResult;
import io.procmaster.config.ConfigException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's answers to control-socket commands ({@code status}, {@code reload}, {@code stop})
 * and the reload that SIGHUP shares. Each waits for the master's loop, so it runs on the control
 * server's worker thread (or the SIGHUP thread), never on the thread that reads clients.
 * Failure modes: none thrown; every failure becomes an {@code error: <why>} answer and a log line.
 */
final class MasterCommands {
    private static final Logger log = LoggerFactory.getLogger(MasterCommands.class);

    private MasterCommands() {
    }

    /** The answer to one command line; for {@code stop}, the stop itself follows once answered. */
    static String answer(Master master, String command) {
        try {
            switch (command) {
                case "status":
                    return "ok\n" + master.statusText();
                case "reload":
                    return reload(master);
                case "stop":
                    return "ok stopping\n";
                default:
                    return "error: unknown command \"" + command + "\" (status, reload, stop)\n";
            }
        } catch (IOException | RuntimeException e) {
            log.error("{} failed: {}", command, e.getMessage());
            return "error: " + e.getMessage() + "\n";
        }
    }

    /**
     * Re-reads master.cf and applies it (the control socket's reload and SIGHUP alike); logs the
     * outcome and returns the answer: {@code ok <summary>} plus warnings, or {@code error: <why>}
     * with the old configuration still running.
     */
    static String reload(Master master) {
        try {
            ReloadResult r = master.reload();
            StringBuilder sb = new StringBuilder("ok " + r.summary() + "\n");
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

}
