package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.MasterConfig;
import io.procmaster.testing.MasterFixture;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a master keeps in its queue directory, as others may leave or swap them: the lock
 * file must be a regular file and is one instance by its inode, whatever path reaches it; a
 * service's socket is unlinked at stop only if it is still the one this master bound.
 */
class InstanceFilesTest {
    private static final String UNIX_ECHO = "echo unix n - n - 1 pm-echo\n";

    /** Starts (and closes) a master, bounded: a start that blocks is a failure, not a hang. */
    private static Throwable startOutcome(MasterConfig config) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                MasterFixture.start(config, UNIX_ECHO).close();
                return (Throwable) null;
            } catch (Throwable t) {
                return t;
            }
        }).get(20, TimeUnit.SECONDS);
    }

    private static Path queueWithPid(Path dir) throws IOException {
        Path queue = Files.createDirectory(dir.resolve("q"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.createDirectory(queue.resolve("pid"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        return queue;
    }

    @Test
    void defect7_aFifoAtTheLockFileIsRefusedNotReadForever(@TempDir Path dir) throws Exception {
        Path queue = queueWithPid(dir);
        Path lock = queue.resolve("pid/master.lock");
        Process mkfifo = new ProcessBuilder("mkfifo", "-m", "0644", lock.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Throwable t = startOutcome(MasterFixture.config(queue));
        assertThat(t).isInstanceOf(IOException.class)
                .hasMessage("queue_directory " + queue + ": pid/master.lock is not a regular file: refusing to use it");
    }

    @Test
    void defect7_aLockFileReachedByAnotherPathIsTheSameInstance(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("first");
        try (MasterFixture a = MasterFixture.start(MasterFixture.config(first), UNIX_ECHO)) {
            Path second = queueWithPid(dir);
            Files.createLink(second.resolve("pid/master.lock"), first.resolve("pid/master.lock"));
            Throwable t = startOutcome(MasterFixture.config(second));
            assertThat(t).isInstanceOf(IOException.class).hasMessageContaining("a master is already running");
            assertThat(a.status("public/echo")).isNotNull();
        }
    }

    @Test
    void defect8_aServiceSocketReplacedSinceBindIsLeftAtStop(@TempDir Path dir) throws Exception {
        Path queue = dir.resolve("q");
        Path echo = queue.resolve("public/echo");
        ServerSocketChannel theirs = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            try (MasterFixture m = MasterFixture.start(MasterFixture.config(queue), UNIX_ECHO)) {
                Files.delete(echo);
                theirs.bind(UnixDomainSocketAddress.of(echo)); // someone else's socket, same path
            }
            assertThat(Files.getAttribute(echo, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .as("the replacement socket is still there").isNotNull();
        } finally {
            theirs.close();
        }
    }
}
