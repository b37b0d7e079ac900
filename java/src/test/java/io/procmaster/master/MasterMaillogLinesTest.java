package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.os.Channels;
import io.procmaster.os.Fd;
import io.procmaster.testing.Await;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.TestBin;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master's own mail-log lines end to end, without Postfix (docs/postfix-master.md §11): a
 * datagram socket of the test's at {@code public/postlog} stands in for postlogd; a master with
 * {@code maillog_file} set sends it the start, the reload and the stop line, and a warning for
 * the child killed from outside, but none for the child it stopped itself.
 */
class MasterMaillogLinesTest {
    private static final long PID = ProcessHandle.current().pid();

    @Test
    void startReloadKillFromOutsideAndStopInPostfixsWords(@TempDir Path dir) throws Exception {
        Path queue = Files.createDirectory(dir.resolve("q"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.createDirectory(queue.resolve("public"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        int port = MasterFixture.freePort();
        // maxproc 1: the child killed below is the one that served "one". With more, a second child
        // spawned meanwhile could be the one killed before it took a connection: a bad startup,
        // which the master rightly logs as one more line (Postfix's master does the same).
        String masterCf = "127.0.0.1:" + port + " inet n - n - 1 pm-echo\n";
        String echo = Path.of(TestBin.path("pm-echo")).toString();
        List<String> lines = new ArrayList<>();
        int killed;
        int stopped;
        try (Fd postlog = Channels.bindUnixDgram(queue.resolve("public/postlog").toString(), 0)) {
            try (MasterFixture m = MasterFixture.start(MasterFixture.config(queue, "maillog_file=/var/log/x.log",
                    "myhostname=box.example", "config_directory=/etc/postfix-test"), masterCf)) {
                assertThat(MasterFixture.echo(port, "one", 10_000)).isEqualTo("one");
                // The echo can come back before the master has read the child's AVAIL after it; a
                // child killed before the master counted any AVAIL is a bad startup (§11.2).
                Await.until("the child's AVAIL after the request counted", Duration.ofSeconds(10),
                        () -> m.status("[127.0.0.1]:" + port), st -> st.total() == 1 && st.avail() == 1);
                killed = m.master.childPids().get().get(0);
                ProcessHandle.of(killed).orElseThrow().destroyForcibly(); // SIGKILL from outside
                Await.until("the killed child reaped", Duration.ofSeconds(10),
                        () -> m.master.childPids().get(), pids -> !pids.contains(killed));
                assertThat(MasterFixture.echo(port, "two", 10_000)).isEqualTo("two");
                stopped = m.master.childPids().get().get(0);
                m.master.reload(MasterFixture.table(m.config, masterCf)).get();
            } // stop: the master SIGTERMs the child it still has
            ByteBuffer b = ByteBuffer.allocateDirect(16384);
            while (true) {
                b.clear();
                if (postlog.read(b) <= 0) {
                    break;
                }
                b.flip();
                lines.add(StandardCharsets.UTF_8.decode(b).toString());
            }
        }
        String prefix = "[A-Z][a-z]{2} [0-3][0-9] \\d\\d:\\d\\d:\\d\\d box postfix/master\\[" + PID + "\\]: ";
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches(prefix + "daemon started -- version procmaster, configuration /etc/postfix-test");
        assertThat(lines.get(1)).matches(prefix + "warning: process \\Q" + echo + "\\E pid " + killed + " killed by signal 9");
        assertThat(lines.get(2)).matches(prefix + "reload -- version procmaster, configuration /etc/postfix-test");
        assertThat(lines.get(3)).matches(prefix + "terminating on signal 15");
        assertThat(String.join("\n", lines)).doesNotContain("pid " + stopped);
    }
}
