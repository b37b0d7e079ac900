package io.procmaster.helper.process;

import static io.procmaster.helper.process.HelperTesting.O_NONBLOCK;
import static io.procmaster.helper.process.HelperTesting.assertNoLeaks;
import static io.procmaster.helper.process.HelperTesting.writeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.helper.HelperChannelType;
import io.procmaster.helper.HelperException;
import io.procmaster.helper.HelperExit;
import io.procmaster.helper.HelperSpec;
import io.procmaster.os.EventLoop;
import io.procmaster.testing.ChildReport;
import io.procmaster.testing.ProcSelf;
import io.procmaster.testing.TestBin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/helper-ipc.md §4 scenarios 1–10 and 32, in their "(new)" form, on real processes: one
 * scenario, one test. Timeouts are bounds so nothing hangs, never assertions.
 */
class HelperProcessScenarioTest {
    private static EventLoop loop;

    @BeforeAll
    static void startLoop() throws Exception {
        loop = new EventLoop("helper-scenarios");
        loop.start();
    }

    @AfterAll
    static void stopLoop() {
        loop.close();
    }

    private static HelperSpec.Builder helper(String... args) {
        return HelperSpec.builder("test", TestBin.path("pm-helper")).args(args);
    }

    private static HelperExit exitOf(HelperProcess h) throws Exception {
        return h.exitFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void scenario01_happyPathStream() throws Exception {
        LineCollector c = new LineCollector();
        HelperProcess h = HelperProcess.create(loop, HelperSpec.builder("cat", "/bin/cat").build(), c);
        assertThat(h.pid()).isPositive();
        int[] master = h.masterFds();
        assertThat(master[0]).as("rfd == wfd for a socket").isEqualTo(master[1]);
        assertThat(ProcSelf.fdFlags(master[0]) & O_NONBLOCK).as("master end non-blocking").isNotZero();

        writeAll(h, "x\n");
        assertThat(c.next()).as("cat is past its start-up (the loader opens libraries)").isEqualTo("x");
        Map<Integer, String> fds = HelperTesting.fds(h.pid());
        assertThat(fds.keySet()).containsExactly(0, 1, 2);
        assertThat(fds.get(0)).startsWith("socket:[").isEqualTo(fds.get(1));
        assertThat(fds.get(2)).as("stderr: its own pipe, read by the master").startsWith("pipe:[")
                .isEqualTo(ProcSelf.fdTarget(master[2]));
        assertThat(HelperTesting.cmdline(h.pid()).get(0)).isEqualTo("(cat)");
        h.close();
        assertThat(exitOf(h)).isEqualTo(HelperExit.exited(0));
        assertThat(c.eofs).isEqualTo(1);
        assertThat(c.exits).isEqualTo(1);
        assertThat(c.eventAfterExit).isFalse();
        assertThat(h.masterFds()).containsOnly(-1);
    }

    @Test
    void scenario02_fifoTypeIsTwoPipes() throws Exception {
        LineCollector c = new LineCollector();
        HelperProcess h = HelperProcess.create(loop,
                HelperSpec.builder("cat", "/bin/cat").channelType(HelperChannelType.FIFO).build(), c);
        int[] master = h.masterFds();
        assertThat(master[0]).as("rfd != wfd").isNotEqualTo(master[1]);
        assertThat(ProcSelf.fdFlags(master[0]) & O_NONBLOCK).isNotZero();
        assertThat(ProcSelf.fdFlags(master[1]) & O_NONBLOCK).isNotZero();

        writeAll(h, "x\n");
        assertThat(c.next()).isEqualTo("x"); // past the loader's start-up
        Map<Integer, String> fds = HelperTesting.fds(h.pid());
        assertThat(fds.keySet()).containsExactly(0, 1, 2);
        assertThat(fds.get(0)).startsWith("pipe:[").isNotEqualTo(fds.get(1));
        assertThat(fds.get(1)).startsWith("pipe:[");
        assertThat(HelperTesting.flags(h.pid(), 0) & 3).as("fd 0 is a read end").isEqualTo(0);
        assertThat(HelperTesting.flags(h.pid(), 1) & 3).as("fd 1 is a write end").isEqualTo(1);
        assertThat(fds.get(0)).isEqualTo(ProcSelf.fdTarget(master[1]));
        assertThat(fds.get(1)).isEqualTo(ProcSelf.fdTarget(master[0]));
        h.close(); // only the write pipe: cat sees EOF, exits 0, the read side gives EOF
        assertThat(exitOf(h)).isEqualTo(HelperExit.exited(0));
        assertThat(c.eofs).isEqualTo(1);
    }

    @Test
    void scenario03_tcpTypeIsAConnectedLoopbackPairWithNoListener() throws Exception {
        LineCollector c = new LineCollector();
        HelperProcess h = HelperProcess.create(loop,
                HelperSpec.builder("cat", "/bin/cat").channelType(HelperChannelType.TCP).build(), c);
        writeAll(h, "x\n");
        assertThat(c.next()).isEqualTo("x"); // past the loader's start-up
        Map<Integer, String> fds = HelperTesting.fds(h.pid());
        assertThat(fds.keySet()).containsExactly(0, 1, 2);
        assertThat(fds.get(0)).startsWith("socket:[").isEqualTo(fds.get(1));

        List<String> inodes = new ArrayList<>(HelperTesting.socketInodes("/proc/self/fd"));
        inodes.addAll(HelperTesting.socketInodes("/proc/" + h.pid() + "/fd"));
        List<String[]> tcp = HelperTesting.tcpEntries(inodes);
        assertThat(tcp).as("no listening socket in either process").noneMatch(e -> e[3].equals("0A"));
        String childInode = fds.get(0).substring(8, fds.get(0).length() - 1);
        String[] entry = HelperTesting.tcpEntries(List.of(childInode)).get(0);
        assertThat(entry[3]).as("ESTABLISHED").isEqualTo("01");
        assertThat(entry[1]).startsWith("0100007F:");
        assertThat(entry[2]).startsWith("0100007F:");
        h.close();
        assertThat(exitOf(h)).isEqualTo(HelperExit.exited(0));
    }

    @ParameterizedTest
    @EnumSource(HelperChannelType.class)
    void scenario03_everyChannelTypeCarriesRequestsBothWays(HelperChannelType type) throws Exception {
        LineCollector c = new LineCollector();
        HelperProcess h = HelperProcess.create(loop, helper().channelType(type).build(), c);
        for (int i = 0; i < 20; i++) writeAll(h, "r" + i + "\n");
        for (int i = 0; i < 20; i++) assertThat(c.next()).isEqualTo("OK r" + i);
        h.kill();
        assertThat(exitOf(h)).isEqualTo(HelperExit.killed(9));
    }

    // Scenario 4 (descriptor hygiene, every channel type) is HelperDescriptorHygieneTest.

    @Test
    void scenario05_execFailureIsSynchronousWithErrnoAndStage(@TempDir Path dir) throws Exception {
        int fds = ProcSelf.fdCount();
        assertThatThrownBy(() -> HelperProcess.create(loop, HelperSpec.builder("gone", "/no/such/helper").build(), new LineCollector()))
                .isInstanceOfSatisfying(HelperException.Start.class, e -> {
                    assertThat(e.errno()).isEqualTo(2);
                    assertThat(e.stage()).isEqualTo("execve");
                    assertThat(e.getMessage()).contains("/no/such/helper", "No such file or directory");
                });
        Path notExec = Files.writeString(dir.resolve("helper.sh"), "#!/bin/sh\n");
        assertThatThrownBy(() -> HelperProcess.create(loop, HelperSpec.builder("noexec", notExec.toString()).build(), new LineCollector()))
                .isInstanceOfSatisfying(HelperException.Start.class, e -> {
                    assertThat(e.errno()).isEqualTo(13);
                    assertThat(e.stage()).isEqualTo("execve");
                    assertThat(e.getMessage()).contains("Permission denied");
                });
        assertNoLeaks(fds, 0);
    }

    @ParameterizedTest
    @EnumSource(value = HelperChannelType.class, names = {"STREAM", "FIFO", "TCP"})
    void scenario06_childDiesBeforeHelloStreamOrPipe(HelperChannelType type) throws Exception {
        int fds = ProcSelf.fdCount();
        HelperSpec spec = helper("--exit", "1").channelType(type).hello("ready").build();
        assertThatThrownBy(() -> HelperProcess.create(loop, spec, new LineCollector()))
                .isInstanceOf(HelperException.Start.class)
                .hasMessageContaining("before its hello")
                .hasMessageContaining("got ''")
                .hasMessageNotContaining("within"); // EOF or the exit told us, not the deadline
        assertNoLeaks(fds, 0);
    }

    @ParameterizedTest
    @EnumSource(value = HelperChannelType.class, names = {"UNIX_DGRAM", "UDP"})
    void scenario07_childDiesBeforeHelloDatagramFailsInsteadOfHanging(HelperChannelType type) throws Exception {
        int fds = ProcSelf.fdCount();
        HelperSpec dies = helper("--exit", "1").channelType(type).hello("ready").build();
        assertThatThrownBy(() -> HelperProcess.create(loop, dies, new LineCollector()))
                .isInstanceOf(HelperException.Start.class)
                .hasMessageContaining("exited before its hello")
                .hasMessageContaining("exit status 1");
        HelperSpec silent = helper("--silent").channelType(type).hello("ready")
                .handshakeTimeout(Duration.ofMillis(300)).build();
        assertThatThrownBy(() -> HelperProcess.create(loop, silent, new LineCollector()))
                .isInstanceOf(HelperException.Start.class)
                .hasMessageContaining("sent no hello within 300ms")
                .hasMessageContaining("killed by signal 9");
        assertNoLeaks(fds, 0);
    }

    @Test
    void scenario07_silentStreamHelperFailsAtTheDeadlineToo() throws Exception {
        int fds = ProcSelf.fdCount();
        HelperSpec silent = helper("--silent").hello("ready").handshakeTimeout(Duration.ofMillis(300)).build();
        assertThatThrownBy(() -> HelperProcess.create(loop, silent, new LineCollector()))
                .isInstanceOf(HelperException.Start.class)
                .hasMessageContaining("sent no hello within 300ms");
        assertNoLeaks(fds, 0);
    }

    @Test
    void scenario08_wrongHelloFailsWithTheEscapedBytes() throws Exception {
        int fds = ProcSelf.fdCount();
        HelperSpec spec = helper("--hello", "hi thar\t!").hello("hi there").build();
        assertThatThrownBy(() -> HelperProcess.create(loop, spec, new LineCollector()))
                .isInstanceOf(HelperException.Start.class)
                .hasMessageContaining("got 'hi thar\\t!'")
                .hasMessageContaining("expected 'hi there'");
        assertNoLeaks(fds, 0);
    }

    @Test
    void scenario08_rightHelloStartsAndLaterBytesAreKept() throws Exception {
        LineCollector c = new LineCollector();
        HelperProcess h = HelperProcess.create(loop, helper("--hello", "hi there", "--stderr", "0").hello("hi there").build(), c);
        writeAll(h, "a\n");
        assertThat(c.next()).isEqualTo("OK a");
        h.close();
        assertThat(exitOf(h)).isEqualTo(HelperExit.exited(0));
    }

    @Test
    void scenario09_environmentAndSession(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report");
        HelperProcess h = HelperProcess.create(loop, HelperSpec.builder("dump", TestBin.path("pm-dumpchild"))
                .args(report.toString()).env("PM_DEBUG", "ALL,1").build(), new LineCollector());
        assertThat(exitOf(h)).isEqualTo(HelperExit.exited(0));
        ChildReport r = ChildReport.read(report);
        assertThat(r.env).contains("PM_DEBUG=ALL,1");
        assertThat(r.env).as("the JVM's environment is inherited").contains("PATH=" + System.getenv("PATH"));
        assertThat(r.sid).as("its own session").isEqualTo(r.pid);
        assertThat(r.argv.get(0)).isEqualTo("(pm-dumpchild)");
    }

    @Test
    void scenario09_rootDropsToTheConfiguredUser() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        LineCollector c = new LineCollector();
        // A system program: the build tree may sit in a directory nobody cannot enter (mktemp -d).
        HelperProcess h = HelperProcess.create(loop, HelperSpec.builder("sleeper", "/bin/sleep").args("30")
                .uid(65534).gid(65534).build(), c);
        List<String> status = Files.readAllLines(Path.of("/proc/" + h.pid() + "/status"));
        assertThat(status).contains("Uid:\t65534\t65534\t65534\t65534", "Gid:\t65534\t65534\t65534\t65534");
        assertThat(status).anyMatch(l -> l.startsWith("Groups:") && l.trim().equals("Groups:\t65534"));
        h.kill();
        exitOf(h);
    }

    @Test
    void scenario10_signalStateIsDefaultAndSigpipeKills(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report");
        HelperProcess d = HelperProcess.create(loop, HelperSpec.builder("dump", TestBin.path("pm-dumpchild"))
                .args(report.toString()).build(), new LineCollector());
        exitOf(d);
        ChildReport r = ChildReport.read(report);
        assertThat(r.signals.get("SigBlk")).as("blocked mask").isZero();
        assertThat(r.signals.get("SigIgn")).as("ignored (SIGPIPE included)").isZero();
        assertThat(r.signals.get("SigCgt")).as("caught").isZero();

        // Writing to a closed channel: the helper gets SIGPIPE (default disposition), not EPIPE.
        LineCollector c = new LineCollector();
        HelperProcess h = HelperProcess.create(loop, HelperSpec.builder("writer", "/bin/sh")
                .args("-c", "while :; do echo y; sleep 0.02; done").closeGrace(Duration.ofSeconds(30)).build(), c);
        assertThat(c.next()).isEqualTo("y");
        h.close();
        assertThat(exitOf(h)).isEqualTo(HelperExit.killed(13));
    }

    @Test
    void closeEscalatesFromEofToSigtermToSigkill() throws Exception {
        HelperProcess stubborn = HelperProcess.create(loop, helper("--ignore-eof").closeGrace(Duration.ofMillis(100)).build(), new LineCollector());
        HelperProcess deaf = HelperProcess.create(loop, helper("--ignore-eof", "--ignore-term")
                .closeGrace(Duration.ofMillis(100)).termGrace(Duration.ofMillis(100)).build(), new LineCollector());
        stubborn.close();
        deaf.close();
        deaf.close(); // idempotent
        assertThat(exitOf(stubborn)).isEqualTo(HelperExit.killed(15));
        assertThat(exitOf(deaf)).isEqualTo(HelperExit.killed(9));
    }

    @Test
    void stderrIsLoggedPerLineBoundedAndRateLimited() throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        HelperSpec spec = helper("--stderr", "30").stderrRateLimit(10, Duration.ofMinutes(5)).stderrMaxLine(40).build();
        LineCollector c = new LineCollector();
        HelperProcess h = HelperProcess.spawn(loop, spec, c, "noisy", logged::add);
        h.startFuture().get(10, TimeUnit.SECONDS);
        h.close();
        exitOf(h);
        long[] n = h.stderrCounters();
        assertThat(n[0]).as("lines").isEqualTo(30);
        assertThat(n[1]).as("logged").isEqualTo(10);
        assertThat(n[2]).as("suppressed").isEqualTo(20);
        assertThat(logged).hasSize(11);
        assertThat(logged.get(0)).isEqualTo("noisy pid " + h.pid() + " stderr: stderr line 1");
        assertThat(logged.get(10)).contains("suppressed 20 lines");

        List<String> cut = new CopyOnWriteArrayList<>();
        LineCollector c2 = new LineCollector();
        HelperProcess h2 = HelperProcess.spawn(loop, helper().stderrMaxLine(40).build(), c2, "long", cut::add);
        h2.startFuture().get(10, TimeUnit.SECONDS);
        writeAll(h2, "err " + "x".repeat(5000) + "\n");
        assertThat(c2.next()).startsWith("OK err");
        h2.close();
        exitOf(h2);
        assertThat(h2.stderrCounters()[3]).as("cut lines").isEqualTo(1);
        assertThat(cut).singleElement().asString().endsWith("x".repeat(40) + " [line cut at 40 bytes]");
    }

    @Test
    void stderrCanBeAppendedToAFile(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("helper.log");
        Files.writeString(log, "before\n");
        HelperProcess h = HelperProcess.create(loop, helper("--stderr", "3").stderrFile(log).build(), new LineCollector());
        h.close();
        exitOf(h);
        assertThat(Files.readAllLines(log)).containsExactly("before", "stderr line 1", "stderr line 2", "stderr line 3");
    }

    @Test
    void scenario32_argumentLimitIsCheckedAtConfiguration(@TempDir Path dir) throws Exception {
        for (int n : new int[] {62, 63}) {
            Path report = dir.resolve("report" + n);
            List<String> args = new ArrayList<>();
            for (int i = 1; i < n; i++) args.add("a" + i);
            args.add(report.toString()); // pm-dumpchild takes its report file last
            HelperProcess h = HelperProcess.create(loop, HelperSpec.builder("dump", TestBin.path("pm-dumpchild")).args(args).build(), new LineCollector());
            assertThat(exitOf(h)).isEqualTo(HelperExit.exited(0));
            assertThat(ChildReport.read(report).argv).hasSize(n + 1).endsWith("a" + (n - 1), report.toString());
        }
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 64; i++) tooMany.add("a" + i);
        assertThatThrownBy(() -> HelperSpec.builder("many", "/bin/cat").args(tooMany).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too many arguments: 64 after the program name, at most 63");
    }
}
