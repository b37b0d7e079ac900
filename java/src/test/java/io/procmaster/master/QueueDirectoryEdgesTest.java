package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.procmaster.config.ConfigException;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceType;
import io.procmaster.testing.MasterFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue directory as the master finds it: who owns it and its public/ and private/, who may
 * write there, symbolic links in its place, service names that would leave it, and files that
 * are not sockets at a service's path. The master must refuse each before it binds anything.
 */
class QueueDirectoryEdgesTest {
    private static final String UNIX_ECHO = "echo unix n - n - 1 pm-echo\n";

    private static IOException startFails(Path queue, String masterCf) throws Exception {
        MasterConfig config = MasterFixture.config(queue);
        IOException e = catchThrowableOfType(() -> MasterFixture.start(config, masterCf).close(), IOException.class);
        assertThat(e).as("the master must refuse to start").isNotNull();
        return e;
    }

    private static void chmod(String mode, Path p) throws Exception {
        // Java cannot set the sticky bit; chmod(1) can.
        Process c = new ProcessBuilder("chmod", mode, p.toString()).inheritIO().start();
        assertThat(c.waitFor()).isZero();
    }

    private static String mode(Path p) throws IOException {
        int m = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return String.format("%04o", m & 07777);
    }

    private static int myUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    // --- defect 6: trust ------------------------------------------------------------------------

    @Test
    void defect6_queueDirectoryOwnedByAnotherUserIsRefused(@TempDir Path dir) throws Exception {
        Path queue = Files.createDirectory(dir.resolve("q"));
        int other = myUid() == 0 ? 1000 : 0;
        Files.setAttribute(queue, "unix:uid", other);
        IOException e = startFails(queue, UNIX_ECHO);
        assertThat(e).hasMessage("queue_directory " + queue + ": owned by uid " + other
                + ", not by root or the master's user (uid " + myUid() + "): refusing to use it");
        assertThat(queue.resolve("public")).doesNotExist();
    }

    @Test
    void defect6_queueDirectoryWritableByOthersIsRefused(@TempDir Path dir) throws Exception {
        Path queue = Files.createDirectory(dir.resolve("q"));
        chmod("0777", queue);
        IOException e = startFails(queue, UNIX_ECHO);
        assertThat(e).hasMessage("queue_directory " + queue
                + ": writable by group or others (mode 0777): refusing to use it");
    }

    @Test
    void defect6_stickyWorldWritablePublicIsRefused(@TempDir Path dir) throws Exception {
        Path queue = Files.createDirectory(dir.resolve("q"));
        Path pub = Files.createDirectory(queue.resolve("public"));
        chmod("1777", pub);
        IOException e = startFails(queue, UNIX_ECHO);
        assertThat(e).hasMessage("queue_directory " + queue
                + ": public/: writable by group or others (mode 1777): refusing to use it");
        assertThat(pub.resolve("echo")).doesNotExist();
    }

    @Test
    void defect6_privateOwnedByAnotherUserIsRefused(@TempDir Path dir) throws Exception {
        Path queue = Files.createDirectory(dir.resolve("q"));
        Path priv = Files.createDirectory(queue.resolve("private"));
        int other = myUid() == 0 ? 1000 : 0;
        Files.setAttribute(priv, "unix:uid", other);
        IOException e = startFails(queue, "ticker unix y - n - 1 pm-echo\n");
        assertThat(e).hasMessageStartingWith("queue_directory " + queue + ": private/: owned by uid " + other
                + ", not by root or the master's user");
    }

    @Test
    void defect6_groupReadablePublicAsPostfixLaysItOutIsAccepted(@TempDir Path dir) throws Exception {
        Path queue = Files.createDirectory(dir.resolve("q"));
        Path pub = Files.createDirectory(queue.resolve("public"));
        chmod("0710", pub);
        try (MasterFixture m = MasterFixture.start(MasterFixture.config(queue), UNIX_ECHO)) {
            assertThat(Files.getAttribute(pub.resolve("echo"), "unix:mode")).isNotNull();
            assertThat(mode(pub)).isEqualTo("0710");
        }
    }

    @Test
    void defect6_missingQueueDirectoryIsCreatedWithSafeModes(@TempDir Path dir) throws Exception {
        Path queue = dir.resolve("fresh").resolve("q");
        try (MasterFixture m = MasterFixture.start(MasterFixture.config(queue), UNIX_ECHO
                + "ticker unix y - n - 1 pm-echo\n")) {
            assertThat(mode(queue)).isEqualTo("0755");
            assertThat(mode(queue.resolve("public"))).isEqualTo("0755");
            assertThat(mode(queue.resolve("private"))).isEqualTo("0700");
            assertThat(Files.getAttribute(queue, "unix:uid")).isEqualTo(myUid());
        }
    }

    @Test
    void defect6_pidOwnedByMailOwnerIsRefused(@TempDir Path dir) throws Exception {
        // pid/ holds master.lock: whoever owns it could unlink the lock under a running master or
        // plant a flow line a restarted root master then acts on; mail_owner is not trusted there.
        org.junit.jupiter.api.Assumptions.assumeTrue(myUid() == 0, "needs root to give pid/ to nobody");
        Path queue = Files.createDirectory(dir.resolve("q"));
        Path pid = Files.createDirectory(queue.resolve("pid"));
        Files.setAttribute(pid, "unix:uid", 65534);
        MasterConfig config = MasterFixture.config(queue).withOverride("mail_owner=nobody");
        IOException e = catchThrowableOfType(() -> MasterFixture.start(config, UNIX_ECHO).close(), IOException.class);
        assertThat(e).as("the master must refuse pid/ owned by mail_owner").isNotNull();
        assertThat(e).hasMessage("queue_directory " + queue + ": pid/: owned by uid 65534, not by root or the"
                + " master's user (uid 0): refusing to use it");
        assertThat(pid.resolve("master.lock")).doesNotExist();
    }

    // --- defect 7, within one JVM (MasterInstanceTest has it across processes) --------------------

    @Test
    void defect7_secondMasterInTheSameJvmIsRefusedAndTheFirstKeepsItsSockets(@TempDir Path dir) throws Exception {
        Path queue = dir.resolve("q");
        MasterConfig config = MasterFixture.config(queue);
        try (MasterFixture a = MasterFixture.start(config, UNIX_ECHO)) {
            Object inode = Files.getAttribute(queue.resolve("public/echo"), "unix:ino");
            IOException e = startFails(queue, UNIX_ECHO);
            assertThat(e).hasMessage("queue_directory " + queue + ": a master is already running (pid "
                    + ProcessHandle.current().pid() + ", lock pid/master.lock)");
            assertThat(Files.getAttribute(queue.resolve("public/echo"), "unix:ino")).isEqualTo(inode);
        }
        // Released at close: the next master starts, and finds no previous instance to clean up.
        try (MasterFixture b = MasterFixture.start(config, UNIX_ECHO)) {
            assertThat(Files.readString(queue.resolve("pid/master.lock")))
                    .startsWith("pid " + ProcessHandle.current().pid() + "\n");
        }
        assertThat(Files.readString(queue.resolve("pid/master.lock"))).isEmpty();
    }

    // --- defect 8: paths ------------------------------------------------------------------------

    @Test
    void defect8_symlinkedPublicIsRefusedNotFollowed(@TempDir Path dir) throws Exception {
        Path queue = Files.createDirectory(dir.resolve("q"));
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Files.createSymbolicLink(queue.resolve("public"), elsewhere);
        IOException e = startFails(queue, UNIX_ECHO);
        assertThat(e).hasMessage("queue_directory " + queue
                + ": public/: is a symbolic link: refusing to follow it");
        assertThat(elsewhere.resolve("echo")).doesNotExist();
    }

    @Test
    void defect8_symlinkedPrivateIsRefusedNotFollowed(@TempDir Path dir) throws Exception {
        Path queue = Files.createDirectory(dir.resolve("q"));
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Files.createSymbolicLink(queue.resolve("private"), elsewhere);
        IOException e = startFails(queue, "ticker unix y - n - 1 pm-echo\n");
        assertThat(e).hasMessage("queue_directory " + queue
                + ": private/: is a symbolic link: refusing to follow it");
        assertThat(elsewhere.resolve("ticker")).doesNotExist();
    }

    @Test
    void defect8_regularFileAtAServicePathIsRefusedAndKept(@TempDir Path dir) throws Exception {
        Path queue = Files.createDirectory(dir.resolve("q"));
        Path file = Files.writeString(Files.createDirectory(queue.resolve("public")).resolve("echo"), "precious");
        IOException e = startFails(queue, UNIX_ECHO);
        assertThat(e).hasMessage("service echo/unix: " + file
                + " is a regular file, not a socket or FIFO: refusing to replace it");
        assertThat(Files.readString(file)).isEqualTo("precious");
    }

    @Test
    void defect8_staleSocketAtAServicePathIsReplaced(@TempDir Path dir) throws Exception {
        Path queue = dir.resolve("q");
        MasterConfig config = MasterFixture.config(queue);
        try (MasterFixture m = MasterFixture.start(config, UNIX_ECHO)) {
            assertThat(queue.resolve("public/echo")).exists();
        }
        // A socket file left behind (as by a master that was killed) is the master's own to replace.
        try (java.nio.channels.ServerSocketChannel stale = java.nio.channels.ServerSocketChannel
                .open(java.net.StandardProtocolFamily.UNIX)) {
            stale.bind(java.net.UnixDomainSocketAddress.of(queue.resolve("public/echo")));
        }
        try (MasterFixture m = MasterFixture.start(config, UNIX_ECHO)) {
            assertThat(m.status("public/echo").total()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void defect8_serviceNameWithDotDotIsRefusedWithFileAndLine(@TempDir Path dir) throws Exception {
        MasterConfig config = MasterFixture.config(dir);
        ConfigException e = catchThrowableOfType(
                () -> MasterFixture.table(config, "../evil unix n - n - 1 pm-echo\n"), ConfigException.class);
        assertThat(e).hasMessageStartingWith("master.cf: line 1: field \"service\": bad value: \"../evil\": ");
    }

    @Test
    void defect8_absoluteServiceNameIsRefusedWithFileAndLine(@TempDir Path dir) throws Exception {
        MasterConfig config = MasterFixture.config(dir);
        ConfigException e = catchThrowableOfType(() -> MasterFixture.table(config,
                "# fifo\n" + dir.resolve("evil") + " fifo n - n - 1 pm-echo\n"), ConfigException.class);
        assertThat(e).hasMessageStartingWith("master.cf: line 2: field \"service\": bad value: \""
                + dir.resolve("evil") + "\": ");
    }

    @Test
    void defect8_dotDotAsAWholeNameIsRefused(@TempDir Path dir) throws Exception {
        MasterConfig config = MasterFixture.config(dir);
        ConfigException e = catchThrowableOfType(
                () -> MasterFixture.table(config, ".. unix y - n - 1 pm-echo\n"), ConfigException.class);
        assertThat(e).hasMessageStartingWith("master.cf: line 1: field \"service\": bad value: \"..\": ");
    }

    @Test
    void defect8_builderRefusesANameThatLeavesTheQueueDirectory(@TempDir Path dir) throws Exception {
        MasterConfig config = MasterFixture.config(dir);
        ConfigException e = catchThrowableOfType(() -> ServiceSpec.builder("a/../../x", ServiceType.PASS)
                .command("pm-echo").build(config), ConfigException.class);
        assertThat(e).hasMessageContaining("field \"service\": bad value: \"a/../../x\"");
    }
}
