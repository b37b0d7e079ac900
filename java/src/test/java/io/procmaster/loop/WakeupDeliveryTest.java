package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.Await;
import io.procmaster.testing.FakeClock;
import io.procmaster.testing.MasterFixture;
import io.procmaster.testing.ProcSelf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The master's wakeup triggers as the daemons that take them see them (docs/postfix-master.md
 * §5.3, §5.8): a real master and {@code pm-trigger-server}, which behaves as Postfix 3.7's tlsmgr and
 * flush do when they accept (a protocol announcement first, then the request up to its NUL), or
 * as a pass or fifo server. Each line the server logs is one event ("announce ok", "request W",
 * "peer closed 1", ...).
 *
 * <p>Before this fix the master wrote the trigger and closed within a millisecond: the unix and
 * inet servers logged {@code announce: Broken pipe}, and the pass server got no descriptor at all
 * ({@code request: no descriptor}).
 */
class WakeupDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aUnixServerThatAnnouncesItsProtocolFirstGetsTheTrigger(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        try (MasterFixture m = MasterFixture.start(MasterFixture.config(queue(dir)),
                "svc unix - - n 1000 1 pm-trigger-server " + log + "\n")) {
            List<String> lines = awaitLine(log, "request");
            assertThat(lines).contains("accept 1", "announce ok", "request W").noneMatch(l -> l.startsWith("announce:"));
            ServiceStatus s = m.status("private/svc");
            assertThat(s.counts().wakeupsSent()).isEqualTo(1);
            assertThat(s.counts().wakeupFailures()).isZero();
        }
    }

    @Test
    void anInetServerThatAnnouncesItsProtocolFirstGetsTheTrigger(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        int port = MasterFixture.freePort();
        try (MasterFixture m = MasterFixture.start(MasterFixture.config(queue(dir)),
                "127.0.0.1:" + port + " inet n - n 1000 1 pm-trigger-server " + log + "\n")) {
            List<String> lines = awaitLine(log, "request");
            assertThat(lines).contains("accept 1", "announce ok", "request W");
            assertThat(m.status("[127.0.0.1]:" + port).counts().wakeupFailures()).isZero();
        }
    }

    /** pass: the trigger travels in a pipe whose read end is passed over the socket (pass_trigger). */
    @Test
    void aPassServerReceivesAPipeCarryingTheTrigger(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        try (MasterFixture m = MasterFixture.start(MasterFixture.config(queue(dir)),
                "svc pass - - n 1000 1 pm-trigger-server " + log + "\n")) {
            List<String> lines = awaitLine(log, "request");
            assertThat(lines).contains("accept 1", "request W");
            assertThat(m.status("private/svc").counts().wakeupFailures()).isZero();
        }
    }

    @Test
    void aFifoServerReadsOneW(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        try (MasterFixture m = MasterFixture.start(MasterFixture.config(queue(dir)),
                "svc fifo n - n 1000 1 pm-trigger-server " + log + "\n")) {
            List<String> lines = awaitLine(log, "fifo");
            assertThat(lines).containsOnlyOnce("fifo W").doesNotContain("fifo 0");
            assertThat(m.status("public/svc").counts().wakeupFailures()).isZero();
        }
    }

    /**
     * A server that never closes: the master holds the connection, on the loop, until the bounded
     * wait (101 s, as Postfix's unix_trigger) passes on its clock; meanwhile the loop answers, and a
     * wakeup due while the first is held is skipped (one held trigger per service). After the wait
     * the master closes its end (the server sees it), and the next period sends a new trigger.
     */
    @Test
    void aHeldTriggerIsClosedAfterTheBoundedWaitAndTheLoopServesMeanwhile(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        FakeClock clock = new FakeClock();
        try (MasterFixture m = MasterFixture.start(MasterFixture.config(queue(dir)),
                "svc unix - - n 60 1 pm-trigger-server " + log + " hold\n", clock)) {
            awaitLine(log, "request W");

            clock.advanceSeconds(60); // the second period: the first trigger is still held
            // The loop may take more than one pass after the query that woke it: awaited, not counted at once.
            ServiceStatus during = Await.until("the wakeup due while one is held, skipped", WAIT, () -> settled(m),
                    s -> s.counts().wakeupsSkipped() >= 1);
            assertThat(during.counts().wakeupsSkipped()).as("the wakeup due while one is held").isEqualTo(1);
            assertThat(during.counts().wakeupsSent()).isEqualTo(1);
            clock.advanceSeconds(40); // 100 s: still within the wait
            settled(m);
            assertThat(lines(log)).as("nothing closed before the bounded wait").doesNotContain("peer closed 1")
                    .containsOnlyOnce("accept 1").doesNotContain("accept 2");

            clock.advanceSeconds(1); // 101 s
            settled(m);
            awaitLine(log, "peer closed 1");

            clock.advanceSeconds(19); // 120 s: the third period, nothing held any more
            settled(m);
            assertThat(awaitLine(log, "accept 2")).as("a new trigger once the first is gone").isNotEmpty();
            assertThat(Await.until("the second trigger counted", WAIT, () -> settled(m),
                    s -> s.counts().wakeupsSent() >= 2).counts().wakeupsSent()).isEqualTo(2);
        }
    }

    /**
     * A trigger that cannot connect (the socket file was removed behind the master's back) is a
     * wakeup failure, counted, on the loop; the period goes on and the loop keeps answering.
     */
    @Test
    void aTriggerThatCannotConnectIsCountedAsAFailure(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Path queue = queue(dir);
        FakeClock clock = new FakeClock();
        try (MasterFixture m = MasterFixture.start(MasterFixture.config(queue),
                "svc unix - - n 60 1 pm-trigger-server " + log + "\n", clock)) {
            awaitLine(log, "request W"); // the server closes next; the master then lets go of the trigger
            Files.delete(queue.resolve("private/svc"));
            // Should the master not have seen the server's close yet when the period ends, that
            // wakeup is skipped (one held per service); the next period then tries the connect.
            ServiceStatus s = settled(m);
            for (int period = 1; period <= 3 && s.counts().wakeupFailures() == 0; period++) {
                long before = s.counts().wakeupsSkipped();
                clock.advanceSeconds(60);
                s = Await.until("the wakeup of period " + period, WAIT, () -> settled(m),
                        x -> x.counts().wakeupFailures() > 0 || x.counts().wakeupsSkipped() > before);
            }
            assertThat(s.counts().wakeupFailures()).as("the connect failed").isEqualTo(1);
            assertThat(s.counts().wakeupsSent()).as("the trigger was attempted").isEqualTo(2);
            assertThat(lines(log)).containsOnlyOnce("accept 1").doesNotContain("accept 2");
        }
    }

    /**
     * Stopping the master while it holds a trigger closes it and leaves no descriptor behind. The
     * server hands the connection to a process of its own that outlives it, so only the master
     * closing its end can end the hold before 101 s; that process logs when it sees it.
     */
    @Test
    void stopWithAHeldTriggerClosesItAndLeavesNoDescriptor(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        var config = MasterFixture.config(queue(dir));
        Map<Integer, String> before = ProcSelf.descriptors();
        MasterFixture m = MasterFixture.start(config, "svc unix - - n 1000 1 pm-trigger-server " + log + " handoff\n");
        try {
            awaitLine(log, "request W"); // the master holds its end of the connection now
            assertThat(lines(log)).doesNotContain("peer closed by master");
        } finally {
            m.close();
        }
        assertThat(awaitLine(log, "peer closed")).as("the master closed the held trigger").contains("peer closed by master");
        assertThat(ProcSelf.openedSince(before)).as("descriptors left after stop").isEmpty();
    }

    /**
     * A reload that adds a service whose trigger is held (by a process that outlives the service's
     * children, as above), then one that removes the service: the held trigger is closed with the
     * service, and none of the descriptors the first reload brought (listener, status channel, the
     * held connection) is left.
     */
    @Test
    void aReloadThatRemovesAServiceClosesItsHeldTriggerAndLeavesNoDescriptor(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        var config = MasterFixture.config(queue(dir));
        // No other service: a reload renews every remaining service's status channel (new descriptors).
        String keep = "";
        try (MasterFixture m = MasterFixture.start(config, keep)) {
            m.master.status().get(10, TimeUnit.SECONDS); // started
            Map<Integer, String> before = ProcSelf.descriptors();
            m.master.reload(MasterFixture.table(config, keep + "svc unix - - n 1000 1 pm-trigger-server " + log
                    + " handoff\n")).get(10, TimeUnit.SECONDS);
            awaitLine(log, "request W"); // held now
            m.master.reload(MasterFixture.table(config, keep)).get(10, TimeUnit.SECONDS);
            Await.until("the removed service gone", WAIT, () -> m.master.status().get(10, TimeUnit.SECONDS),
                    all -> all.stream().noneMatch(s -> s.id().startsWith("private/svc")));
            assertThat(awaitLine(log, "peer closed")).as("the master closed the held trigger with the service")
                    .contains("peer closed by master");
            assertThat(ProcSelf.openedSince(before)).as("descriptors left after the reload").isEmpty();
        }
    }

    // ---- helpers ----

    private static Path queue(Path dir) throws Exception {
        return Files.createDirectories(dir.resolve("queue"));
    }

    /** The server's log once a line starting with {@code prefix} is in it (bounded wait). */
    private static List<String> awaitLine(Path log, String prefix) throws Exception {
        return Await.until("server log line " + prefix, WAIT, () -> lines(log),
                l -> l.stream().anyMatch(x -> x.startsWith(prefix)));
    }

    private static List<String> lines(Path log) throws Exception {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** Two queries: the first lets the loop run what the clock made due, the second reads the result. */
    private static ServiceStatus settled(MasterFixture m) throws Exception {
        m.status("private/svc");
        return m.status("private/svc");
    }
}
