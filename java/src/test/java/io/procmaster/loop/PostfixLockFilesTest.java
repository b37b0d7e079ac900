package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.config.MasterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Postfix's lock files without Postfix (docs/postfix-master.md §7.4): the pid file's format, the
 * lock style another process sees (util-linux flock(1), which asks the kernel the way Postfix's
 * {@code master -t} does), refusal while held, a stale file after the holder is gone, and the
 * refusals that keep a link planted in data_directory from receiving the pid.
 */
class PostfixLockFilesTest {
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;
    private Path queue;
    private Path data;

    @BeforeEach
    void layOut() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/flock")), "util-linux flock(1) is missing");
        queue = Files.createDirectories(dir.resolve("queue/pid")).getParent();
        data = Files.createDirectories(dir.resolve("data"));
    }

    @Test
    void thePidLineIsPostfixsRightAlignedIn32ColumnsAndReadsBack() {
        assertThat(PostfixLockFiles.pidLine(1234)).isEqualTo(" ".repeat(28) + "1234\n").hasSize(33);
        assertThat(PostfixLockFiles.readPid(PostfixLockFiles.pidLine(1234))).isEqualTo(1234);
        assertThat(PostfixLockFiles.readPid("")).isZero();
        assertThat(PostfixLockFiles.readPid("pid 12\n")).isZero();
    }

    @Test
    void aPostfixInstanceIsOneWhoseMainCfSetsDataDirectory() throws Exception {
        assertThat(PostfixLockFiles.dataDirectory(MasterConfig.defaults())).isEmpty();
        assertThat(PostfixLockFiles.dataDirectory(MasterConfig.of(Map.of("data_directory", "/var/lib/postfix"))))
                .contains(Path.of("/var/lib/postfix"));
    }

    @Test
    void bothFilesHoldThePidAndAreFlockedForAnotherProcessUntilClosed() throws Exception {
        try (PostfixLockFiles l = PostfixLockFiles.acquire(queue, data, Optional.empty(), PID)) {
            assertThat(Files.readString(queue.resolve("pid/master.pid"))).isEqualTo(PostfixLockFiles.pidLine(PID));
            assertThat(Files.readString(data.resolve("master.lock"))).isEqualTo(PostfixLockFiles.pidLine(PID));
            assertThat(Integer.toOctalString((Integer) Files.getAttribute(queue.resolve("pid/master.pid"), "unix:mode")
                    & 0777)).isEqualTo("644");
            assertThat(otherProcessCanLock(queue.resolve("pid/master.pid"))).as("flock(1) while held").isFalse();
            assertThat(otherProcessCanLock(data.resolve("master.lock"))).isFalse();
        }
        assertThat(otherProcessCanLock(queue.resolve("pid/master.pid"))).as("flock(1) after close").isTrue();
        assertThat(otherProcessCanLock(data.resolve("master.lock"))).isTrue();
        assertThat(queue.resolve("pid/master.pid")).as("left, as Postfix leaves it").exists();
    }

    @Test
    void aSecondAcquireIsRefusedWithTheHoldersPid() throws Exception {
        try (PostfixLockFiles l = PostfixLockFiles.acquire(queue, data, Optional.empty(), PID)) {
            assertThatThrownBy(() -> PostfixLockFiles.acquire(queue, data, Optional.empty(), 1))
                    .hasMessage("queue_directory " + queue + ": a master is already running (pid " + PID
                            + ", lock pid/master.pid)");
            assertThat(Files.readString(queue.resolve("pid/master.pid"))).isEqualTo(PostfixLockFiles.pidLine(PID));
        }
    }

    @Test
    void aStalePidFileIsOverwrittenWholly() throws Exception {
        Files.writeString(queue.resolve("pid/master.pid"), "          999999\nsomething a longer file held\n");
        try (PostfixLockFiles l = PostfixLockFiles.acquire(queue, data, Optional.empty(), PID)) {
            assertThat(Files.readString(queue.resolve("pid/master.pid"))).isEqualTo(PostfixLockFiles.pidLine(PID));
        }
    }

    /** Postfix's master holds data_directory/master.lock only: refused, and master.pid is let go again. */
    @Test
    void aHeldDataLockRefusesAndReleasesThePidFile() throws Exception {
        Files.writeString(data.resolve("master.lock"), PostfixLockFiles.pidLine(4321));
        try (LockedFile other = LockedFile.tryLock(data.resolve("master.lock"), 0644)) {
            assertThat(other).isNotNull();
            assertThatThrownBy(() -> PostfixLockFiles.acquire(queue, data, Optional.empty(), PID))
                    .hasMessage("data_directory " + data + ": a master is already running (pid 4321, lock master.lock)");
            assertThat(otherProcessCanLock(queue.resolve("pid/master.pid"))).as("master.pid released").isTrue();
        }
    }

    @Test
    void aLinkInDataDirectoryNeverReceivesThePid() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Files.createLink(data.resolve("master.lock"), victim);
        assertThatThrownBy(() -> PostfixLockFiles.acquire(queue, data, Optional.empty(), PID))
                .hasMessage("data_directory " + data + ": master.lock has 2 links: refusing to use it");
        assertThat(Files.readString(victim)).isEqualTo("precious\n");

        Files.delete(data.resolve("master.lock"));
        Files.createSymbolicLink(data.resolve("master.lock"), victim);
        assertThatThrownBy(() -> PostfixLockFiles.acquire(queue, data, Optional.empty(), PID))
                .hasMessageStartingWith("data_directory " + data + ": cannot lock " + data.resolve("master.lock"))
                .hasMessageContaining("not followed");
        assertThat(Files.readString(victim)).isEqualTo("precious\n");
        assertThat(otherProcessCanLock(queue.resolve("pid/master.pid"))).isTrue();
    }

    /** Run as root: a data lock that belongs to a third user (not mail_owner) is refused, unwritten. */
    @Test
    void aDataLockOfAnotherUserIsRefused() throws Exception {
        assumeTrue(io.procmaster.os.FileNodes.ownUid() == 0, "chown needs root");
        Path lock = Files.writeString(data.resolve("master.lock"), "theirs\n");
        Files.setAttribute(lock, "unix:uid", 65534);
        assertThatThrownBy(() -> PostfixLockFiles.acquire(queue, data, Optional.empty(), PID))
                .hasMessage("data_directory " + data
                        + ": master.lock is owned by uid 65534, not by root, the master's user or mail_owner: refusing to use it");
        assertThat(Files.readString(lock)).isEqualTo("theirs\n");
    }

    /** procmaster's own pid/master.lock is the same kind of lock: one model for both. */
    @Test
    void theInstanceLockIsAFlockToo() throws Exception {
        try (InstanceLock l = InstanceLock.acquire(queue)) {
            assertThat(otherProcessCanLock(queue.resolve(InstanceLock.FILE))).isFalse();
        }
        assertThat(otherProcessCanLock(queue.resolve(InstanceLock.FILE))).isTrue();
    }

    /**
     * procmaster next to a running Postfix master (it holds pid/master.pid): refused before anything
     * is bound, and pid/master.lock says again what the master before wrote.
     */
    @Test
    void aPostfixMastersPidFileRefusesProcmasterAndKeepsThePreviousRecord() throws Exception {
        String record = new InstanceLock.Holder(777, 1, "pipe:[42]", "boot").format();
        Files.writeString(queue.resolve(InstanceLock.FILE), record);
        Files.writeString(queue.resolve("pid/master.pid"), PostfixLockFiles.pidLine(4242));
        MasterConfig config = MasterConfig.of(Map.of("queue_directory", queue.toString(),
                "data_directory", data.toString()));
        try (LockedFile postfixMaster = LockedFile.tryLock(queue.resolve("pid/master.pid"), 0644)) {
            assertThatThrownBy(() -> InstanceLock.acquire(config)).hasMessage("queue_directory " + queue
                    + ": a master is already running (pid 4242, lock pid/master.pid)");
            assertThat(Files.readString(queue.resolve(InstanceLock.FILE))).isEqualTo(record);
            assertThat(otherProcessCanLock(queue.resolve(InstanceLock.FILE))).as("pid/master.lock let go").isTrue();
            assertThat(data.resolve("master.lock")).as("never reached").doesNotExist();
        }
        try (InstanceLock l = InstanceLock.acquire(config)) {
            assertThat(l.previous().pid()).isEqualTo(777);
            assertThat(Files.readString(queue.resolve("pid/master.pid"))).isEqualTo(PostfixLockFiles.pidLine(PID));
        }
    }

    @Test
    void somethingOtherThanARegularFileIsRefused() throws Exception {
        Files.createDirectory(queue.resolve("pid/master.pid"));
        assertThatThrownBy(() -> PostfixLockFiles.acquire(queue, data, Optional.empty(), PID))
                .hasMessageStartingWith("queue_directory " + queue + ": ");
    }

    /** util-linux flock(1) -n: exit 0 when it got the lock (nobody holds it), 1 when it is held. */
    private static boolean otherProcessCanLock(Path file) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/flock", "-n", file.toString(), "true").redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0;
    }
}
