package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.TestBin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, CLI: {@code procmaster check} verifies that each service's program exists and is
 * executable, resolved as {@code run} resolves it (absolute, else under daemon_directory), and
 * names file, line, service and path when not.
 */
class CheckCommandTest {

    @Test
    void aMissingOrNonExecutableCommandFailsWithFileLineServiceAndPath(@TempDir Path dir) throws Exception {
        Path daemons = Files.createDirectory(dir.resolve("libexec"));
        Files.copy(Path.of(TestBin.path("pm-echo")), daemons.resolve("good"));
        Path notExecutable = Files.writeString(daemons.resolve("plain"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createDirectory(daemons.resolve("adir"));
        Path cf = Files.writeString(dir.resolve("master.cf"), "# services\n"
                + "ok unix - - n - 1 good\n"
                + "missing unix - - n - 1 nosuch -v\n"
                + "\n"
                + "plain unix - - n - 1\n  plain\n"
                + "dir unix - - n - 1 adir\n"
                + "abs unix - - n - 1 " + dir.resolve("elsewhere") + "\n");
        CliRun r = CliRun.of("check", cf.toString(), "-o", "daemon_directory=" + daemons, "-o", "services_file=");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().lines()).containsExactly(
                cf + ": line 3: service \"missing\" (private/missing/unix): command " + daemons.resolve("nosuch")
                        + ": no such file",
                cf + ": line 5: service \"plain\" (private/plain/unix): command " + notExecutable + ": not executable",
                cf + ": line 7: service \"dir\" (private/dir/unix): command " + daemons.resolve("adir")
                        + ": not a regular file",
                cf + ": line 8: service \"abs\" (private/abs/unix): command " + dir.resolve("elsewhere")
                        + ": no such file");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void everyCommandThereAndExecutablePassesAndPrintsTheTable(@TempDir Path dir) throws Exception {
        Path cf = Files.writeString(dir.resolve("master.cf"), "foo unix n - n - 3 pm-echo -o max_use=5\n"
                + "bar unix - - n - 1 " + TestBin.path("pm-echo") + "\n");
        CliRun r = CliRun.of("check", cf.toString(), "-o",
                "daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent(), "-o", "services_file=");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("foo").contains("pm-echo -o max_use=5").contains("bar");
    }
}
