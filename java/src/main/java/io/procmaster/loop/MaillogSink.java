package io.procmaster.loop;

import io.procmaster.config.MaillogSettings;
import io.procmaster.os.Errno;
import io.procmaster.os.NativeIoException;
import io.procmaster.policy.MaillogLines;
import io.procmaster.time.Clock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MaillogSink - sends the master's mail-log lines ({@link MaillogLines}) where Postfix's master
 * sends its own (docs/postfix-master.md §11.1): one datagram per line to postlogd's
 * {@code public/postlog} when {@code maillog_file} is set, else to syslog's {@code /dev/log},
 * framed by {@link MaillogFrame}, tagged {@code $syslog_name/master[pid]} with the JVM's pid.
 *
 * <p>Never blocks the loop thread: each line is one non-blocking sendto
 * ({@link UnixDatagramSender}). A line that cannot go at once (no socket there, nobody bound, the
 * receiver's queue full) is dropped and counted, as syslog(3) drops it; the first failure of a
 * run of failures is said once on the slf4j log, and the next success says how many were lost.
 * At most {@link #BURST} lines go per second; the rest are counted as rate-limited (the lines a
 * child can trigger are rate-limited before, by the policy's LogLimiter; this is the backstop).
 *
 * <p>Interface: {@link #open}, {@link #disabled()}, {@link #send}, counters, {@link #close}.
 *
 * <p>Failure modes: none thrown. A socket that cannot be made turns the sink off, with a warning.
 * Loop thread only, as the policy that feeds it.
 */
final class MaillogSink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MaillogSink.class);

    /** Lines per second before the rest are dropped. */
    static final int BURST = 200;
    private static final long SECOND = 1_000_000_000L;

    private final MaillogSettings settings;
    private final Path destination;
    private final byte[] destinationBytes; // the path as sendto wants it, encoded once
    private final boolean postlog;         // postlogd's framing, else syslog(3)'s
    private final String host;             // postlog's HOST: the first label of myhostname
    private final Clock clock;
    private final UnixDatagramSender sender;
    private final long pid = ProcessHandle.current().pid();
    private long windowStart;
    private int inWindow;
    private long sent;
    private long dropped;
    private long rateLimited;
    private long failingSince; // lines dropped in the current run of failures
    private int lastErrno;

    private MaillogSink(MaillogSettings settings, Path destination, Clock clock, UnixDatagramSender sender) {
        this.settings = settings;
        this.destination = destination;
        this.destinationBytes = destination == null ? null : destination.toString().getBytes(StandardCharsets.UTF_8);
        this.postlog = settings != null && settings.postlogSocket().isPresent();
        this.host = settings == null ? null : firstLabel(settings.hostname());
        this.clock = clock;
        this.sender = sender;
        this.windowStart = clock.nanoTime();
    }

    /** A sink that drops every line without counting: the mail log is off. */
    static MaillogSink disabled() {
        return new MaillogSink(null, null, Clock.system(), null);
    }

    /** The sink {@code settings} ask for: off when they say so, else to their destination. */
    static MaillogSink open(MaillogSettings settings, Clock clock) {
        return settings.enabled() ? open(settings, settings.destination(), clock) : disabled();
    }

    /** To {@code destination} (tests point it at a socket of their own), framed as {@code settings} say. */
    static MaillogSink open(MaillogSettings settings, Path destination, Clock clock) {
        try {
            return new MaillogSink(settings, destination, clock, UnixDatagramSender.open());
        } catch (NativeIoException | RuntimeException e) {
            log.warn("maillog: cannot make a socket for {}: {}; the master's lines go to this log only",
                    destination, e.getMessage());
            return disabled();
        }
    }

    boolean enabled() {
        return sender != null;
    }

    /** Sends one line (see the class comment); never blocks nor throws. */
    void send(MaillogLines.Severity severity, String text) {
        if (sender == null) {
            return;
        }
        long now = clock.nanoTime();
        if (now - windowStart >= SECOND) {
            windowStart = now;
            inWindow = 0;
        }
        if (inWindow >= BURST) {
            rateLimited++;
            return;
        }
        inWindow++;
        byte[] datagram = postlog
                ? MaillogFrame.postlog(host, severity, settings.tag(), pid, text, ZonedDateTime.now(),
                        UnixDatagramSender.MAX_DATAGRAM)
                : MaillogFrame.syslog(settings.facility(), severity, settings.tag(), pid, text, ZonedDateTime.now(),
                        UnixDatagramSender.MAX_DATAGRAM);
        int errno = sender.send(destinationBytes, datagram, datagram.length);
        if (errno == 0) {
            sent++;
            if (failingSince > 0) {
                log.info("maillog: {} again; {} line(s) were dropped", destination, failingSince);
                failingSince = 0;
            }
            lastErrno = 0;
            return;
        }
        dropped++;
        if (failingSince++ == 0 || errno != lastErrno) {
            log.warn("maillog: cannot send to {}: {}; lines are dropped and counted until it takes them again",
                    destination, Errno.text(errno));
        }
        lastErrno = errno;
    }

    private static String firstLabel(String hostname) {
        int dot = hostname.indexOf('.');
        return dot < 0 ? hostname : hostname.substring(0, dot);
    }

    /** Lines sent. */
    long sent() {
        return sent;
    }

    /** Lines the destination did not take (absent, refused, full). */
    long dropped() {
        return dropped;
    }

    /** Lines over {@link #BURST} per second. */
    long rateLimited() {
        return rateLimited;
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.close();
        }
    }
}
