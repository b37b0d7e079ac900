package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.MaillogSettings;
import io.procmaster.config.MasterConfig;
import io.procmaster.os.Channels;
import io.procmaster.os.Fd;
import io.procmaster.policy.MaillogLines;
import io.procmaster.testing.FakeClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master's mail-log datagrams as a log reader gets them (docs/postfix-master.md §11.1): a fake
 * {@code /dev/log} (an AF_UNIX datagram socket bound in a temporary directory) receives glibc
 * syslog(3)'s framing with the configured facility and the {@code postfix/master[pid]} tag; a
 * fake postlog socket receives msg_logger's framing. Absent and full receivers never block the
 * sender: the lines are dropped and counted; the per-second backstop counts the rest.
 */
class MaillogSinkTest {
    private static final long PID = ProcessHandle.current().pid();
    private final FakeClock clock = new FakeClock();

    private static MaillogSettings settings(String... mainCf) throws Exception {
        MasterConfig c = MasterConfig.defaults();
        for (String o : mainCf) {
            c = c.withOverride(o);
        }
        return MaillogSettings.of(c, Map.of());
    }

    private static List<String> drain(Fd socket) throws Exception {
        List<String> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.allocateDirect(16384);
        while (true) {
            b.clear();
            int n = socket.read(b);
            if (n <= 0) {
                return out;
            }
            b.flip();
            out.add(StandardCharsets.UTF_8.decode(b).toString());
        }
    }

    @Test
    void syslogFramingFacilityAndTagAsGlibcWritesThemForPostfix(@TempDir Path dir) throws Exception {
        Path devLog = dir.resolve("log");
        MaillogSettings s = settings("compatibility_level=3.6", "syslog_facility=local3", "syslog_name=postfix-out");
        assertThat(s.enabled()).isTrue();
        assertThat(s.postlogSocket()).isEmpty();
        try (Fd socket = Channels.bindUnixDgram(devLog.toString(), 0);
             MaillogSink sink = MaillogSink.open(s, devLog, clock)) {
            sink.send(MaillogLines.Severity.WARNING, "process /usr/lib/postfix/sbin/smtpd pid 42 killed by signal 9");
            sink.send(MaillogLines.Severity.INFO, "daemon started -- version 3.7.11, configuration /etc/postfix");
            List<String> got = drain(socket);
            // local3 = 19: 19 * 8 + LOG_WARNING 4 = 156; + LOG_INFO 6 = 158. Day space-padded (%e).
            assertThat(got).hasSize(2);
            assertThat(got.get(0)).matches("<156>[A-Z][a-z]{2} [ 123][0-9] \\d\\d:\\d\\d:\\d\\d postfix-out/master\\["
                    + PID + "\\]: warning: process /usr/lib/postfix/sbin/smtpd pid 42 killed by signal 9");
            assertThat(got.get(1)).matches("<158>[A-Z][a-z]{2} [ 123][0-9] \\d\\d:\\d\\d:\\d\\d postfix-out/master\\["
                    + PID + "\\]: daemon started -- version 3.7.11, configuration /etc/postfix");
            assertThat(sink.sent()).isEqualTo(2);
            assertThat(sink.dropped()).isZero();
        }
    }

    @Test
    void theDefaultFacilityIsMail(@TempDir Path dir) throws Exception {
        Path devLog = dir.resolve("log");
        try (Fd socket = Channels.bindUnixDgram(devLog.toString(), 0);
             MaillogSink sink = MaillogSink.open(settings("compatibility_level=3.6"), devLog, clock)) {
            sink.send(MaillogLines.Severity.INFO, "terminating on signal 15");
            assertThat(drain(socket)).singleElement().asString()
                    .startsWith("<22>").endsWith(" postfix/master[" + PID + "]: terminating on signal 15");
        }
    }

    @Test
    void postlogFramingAsMsgLoggerWritesItForPostlogd(@TempDir Path dir) throws Exception {
        MaillogSettings s = settings("queue_directory=" + dir, "maillog_file=/var/log/postfix.log",
                "myhostname=mail.example.org");
        assertThat(s.destination()).isEqualTo(dir.resolve("public/postlog"));
        Path postlog = dir.resolve("postlog");
        try (Fd socket = Channels.bindUnixDgram(postlog.toString(), 0);
             MaillogSink sink = MaillogSink.open(s, postlog, clock)) {
            sink.send(MaillogLines.Severity.WARNING, "/usr/lib/postfix/sbin/anvil: bad command startup -- throttling");
            // No <PRI>; the day zero-padded (%d); the host's first label.
            assertThat(drain(socket)).singleElement().asString().matches("[A-Z][a-z]{2} [0-3][0-9] \\d\\d:\\d\\d:\\d\\d mail "
                    + "postfix/master\\[" + PID + "\\]: warning: /usr/lib/postfix/sbin/anvil: bad command startup -- throttling");
        }
    }

    @Test
    void noReceiverMeansDroppedAndCountedAtOnce(@TempDir Path dir) throws Exception {
        try (MaillogSink sink = MaillogSink.open(settings("compatibility_level=3.6"), dir.resolve("absent"), clock)) {
            long t0 = System.nanoTime();
            sink.send(MaillogLines.Severity.INFO, "daemon started -- version x, configuration y");
            sink.send(MaillogLines.Severity.INFO, "terminating on signal 15");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            assertThat(sink.dropped()).isEqualTo(2);
            assertThat(sink.sent()).isZero();
        }
    }

    @Test
    void aFullReceiverNeverBlocksTheSenderAndTheBackstopCapsTheRate(@TempDir Path dir) throws Exception {
        Path devLog = dir.resolve("log");
        try (Fd socket = Channels.bindUnixDgram(devLog.toString(), 0);
             MaillogSink sink = MaillogSink.open(settings("compatibility_level=3.6"), devLog, clock)) {
            String text = "x".repeat(1500);
            int sends = 0;
            // Nobody reads: the receiver's queue fills within a few hundred datagrams.
            for (int second = 0; second < 20 && sink.dropped() == 0; second++) {
                for (int i = 0; i < MaillogSink.BURST + 5; i++) {
                    sink.send(MaillogLines.Severity.WARNING, text);
                    sends++;
                }
                clock.advance(Duration.ofSeconds(1));
            }
            assertThat(sink.dropped()).as("the full queue refused lines without blocking").isPositive();
            assertThat(sink.rateLimited()).isPositive();
            assertThat(sink.sent() + sink.dropped() + sink.rateLimited()).isEqualTo(sends);
            assertThat(drain(socket)).hasSize((int) sink.sent());
        }
    }

    @Test
    void offUnlessPostfixsOrAskedFor() throws Exception {
        assertThat(settings().enabled()).as("a procmaster main.cf").isFalse();
        assertThat(settings("maillog_file=/var/log/x").enabled()).isTrue();
        assertThat(settings("compatibility_level=3.6", "procmaster_maillog=no").enabled()).isFalse();
        assertThat(settings("procmaster_maillog=yes").enabled()).isTrue();
        assertThat(settings("procmaster_maillog=maybe").warnings()).singleElement().asString().contains("yes or no");
        assertThat(settings("syslog_facility=nonsense").facility()).isEqualTo(MaillogSettings.MAIL_FACILITY);
        assertThat(settings("syslog_name=${multi_instance_name?{$multi_instance_name}:{postfix}}").tag())
                .isEqualTo("postfix/master");
        assertThat(settings("multi_instance_name=postfix-b").tag()).isEqualTo("postfix-b/master");
        assertThat(MaillogSink.open(settings(), clock).enabled()).isFalse();
    }
}
