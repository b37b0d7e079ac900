package io.procmaster.loop;

import io.procmaster.policy.MaillogLines;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * MaillogFrame - one of the master's log lines as the datagram Postfix's master would send
 * (docs/postfix-master.md §11.1): the same bytes a log reader gets from Postfix itself.
 *
 * <ul>
 *   <li>{@link #syslog}: what glibc's syslog(3) writes to {@code /dev/log} for Postfix's
 *       msg_syslog (RFC 3164, local form, no host name):
 *       {@code <PRI>Mmm dd HH:MM:SS postfix/master[PID]: warning: TEXT}, PRI = facility * 8 +
 *       severity (info 6, warning 4, error 3, fatal and panic 2), the day space-padded
 *       ({@code Dec  1}).</li>
 *   <li>{@link #postlog}: what Postfix's msg_logger sends to postlogd, which writes it to
 *       {@code maillog_file} as it is: {@code Mmm dd HH:MM:SS HOST postfix/master[PID]: warning: TEXT},
 *       the day zero-padded ({@code Dec 01}), HOST the first label of {@code myhostname}.</li>
 * </ul>
 * The text is cut at {@link #MAX_TEXT} characters, as both Postfix clients cut it, and the whole
 * at {@code maxBytes}. Month names are English (C locale) whatever the JVM's locale; the time is local, as
 * syslog(3)'s and msg_logger's {@code localtime}.
 *
 * <p>Failure modes: none; pure functions.
 */
final class MaillogFrame {

    /** Postfix's MSG_SYSLOG_RECLEN and msg_logger's record limit. */
    static final int MAX_TEXT = 2000;

    private static final DateTimeFormatter SYSLOG_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.US);
    private static final DateTimeFormatter POSTLOG_TIME = DateTimeFormatter.ofPattern("MMM dd HH:mm:ss", Locale.US);

    private MaillogFrame() {
    }

    /** The syslog(3) datagram. */
    static byte[] syslog(int facility, MaillogLines.Severity severity, String tag, long pid, String text,
                         ZonedDateTime now, int maxBytes) {
        String line = "<" + (facility * 8 + syslogSeverity(severity)) + ">" + SYSLOG_TIME.format(now) + " "
                + tag + "[" + pid + "]: " + severity.prefix() + cut(text);
        return bytes(line, maxBytes);
    }

    /** The postlog datagram; {@code host} is already the first label (the sink cuts it once). */
    static byte[] postlog(String host, MaillogLines.Severity severity, String tag, long pid, String text,
                          ZonedDateTime now, int maxBytes) {
        String line = POSTLOG_TIME.format(now) + " " + host + " " + tag + "[" + pid + "]: " + severity.prefix()
                + cut(text);
        return bytes(line, maxBytes);
    }

    /** syslog.h's LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT, as Postfix's msg_syslog maps its levels. */
    static int syslogSeverity(MaillogLines.Severity severity) {
        return switch (severity) {
            case INFO -> 6;
            case WARNING -> 4;
            case ERROR -> 3;
            case FATAL, PANIC -> 2;
        };
    }

    private static String cut(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }

    private static byte[] bytes(String line, int maxBytes) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return b.length <= maxBytes ? b : java.util.Arrays.copyOf(b, maxBytes);
    }
}
