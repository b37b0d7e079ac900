package io.procmaster.policy;

import java.util.Objects;

/**
 * MaillogLines - the one place that decides which of the master's events reach the mail log and in
 * which words: Postfix's master's words, since operators and log tools (pflogsumm, fail2ban,
 * monitoring rules) match them (docs/postfix-master.md §11.1). The slf4j log keeps its own lines.
 *
 * <p>Interface: one method per event Postfix's master logs without {@code -v}, each handing one
 * line to {@link MasterActions#maillog}: the loop frames it (tag {@code postfix/master[pid]},
 * severity prefix) and sends it where Postfix's master logs, or drops it when that is off.
 * <ul>
 *   <li>{@link #daemonStarted}, {@link #reload}, {@link #terminating} (master.c, master_sig.c);</li>
 *   <li>{@link #childEnded}, {@link #badStartup} (master_spawn.c, master_reap_child): not for a
 *       child the master signalled itself, which {@link SpawnAndThrottle} decides;</li>
 *   <li>{@link #processLimit} (master_avail.c), {@link #spawnFailed} (master_spawn.c),
 *       {@link #wakeupFailed} (master_wakeup.c).</li>
 * </ul>
 * The lines a child can trigger at will are passed only when the policy's {@link LogLimiter} let
 * their slf4j twin through, so they are rate-limited as the rest.
 *
 * <p>Failure modes: none; the loop's sink never throws nor blocks. Loop thread only.
 */
public final class MaillogLines {

    /** Postfix's msg levels; the text of each but INFO is prefixed with its name. */
    public enum Severity {
        INFO(""), WARNING("warning: "), ERROR("error: "), FATAL("fatal: "), PANIC("panic: ");

        private final String prefix;

        Severity(String prefix) {
            this.prefix = prefix;
        }

        /** {@code warning: } and so on, as Postfix's msg_syslog and msg_logger prefix; empty for INFO. */
        public String prefix() {
            return prefix;
        }
    }

    private final MasterActions actions;

    MaillogLines(MasterActions actions) {
        this.actions = Objects.requireNonNull(actions, "actions");
    }

    /** The master is up: {@code daemon started -- version X, configuration DIR}. */
    public void daemonStarted(String version, String configDirectory) {
        actions.maillog(Severity.INFO, "daemon started -- version " + version + ", configuration " + configDirectory);
    }

    /** A reload was asked for: {@code reload -- version X, configuration DIR}. */
    public void reload(String version, String configDirectory) {
        actions.maillog(Severity.INFO, "reload -- version " + version + ", configuration " + configDirectory);
    }

    /** The master stops: {@code terminating on signal 15}. */
    public void terminating(int signal) {
        actions.maillog(Severity.INFO, "terminating on signal " + signal);
    }

    /** {@code warning: process /usr/lib/postfix/sbin/smtpd pid 123 killed by signal 9} (or exit status N). */
    void childEnded(String command, int pid, ChildExit how) {
        actions.maillog(Severity.WARNING, "process " + command + " pid " + pid + " " + how.describe());
    }

    /** {@code warning: /usr/lib/postfix/sbin/smtpd: bad command startup -- throttling}. */
    void badStartup(String command) {
        actions.maillog(Severity.WARNING, command + ": bad command startup -- throttling");
    }

    /** The three lines of the busy warning, as master_avail words them. */
    void processLimit(String name, String id, int maxProc) {
        actions.maillog(Severity.WARNING, "service \"" + name + "\" (" + id + ") has reached its process limit \""
                + maxProc + "\": new clients may experience noticeable delays");
        actions.maillog(Severity.WARNING,
                "to avoid this condition, increase the process count in master.cf or reduce the service time per client");
        actions.maillog(Severity.WARNING,
                "see https://www.postfix.org/STRESS_README.html for examples of stress-adapting configuration settings");
    }

    /** {@code warning: master_spawn: <why> -- throttling} (Postfix: {@code fork: <errno text>}). */
    void spawnFailed(String error) {
        actions.maillog(Severity.WARNING, "master_spawn: " + error + " -- throttling");
    }

    /** {@code warning: master_wakeup_timer_event: service pickup(public/pickup): <why>}. */
    void wakeupFailed(String serviceLabel, String error) {
        actions.maillog(Severity.WARNING, "master_wakeup_timer_event: " + serviceLabel + ": " + error);
    }
}
