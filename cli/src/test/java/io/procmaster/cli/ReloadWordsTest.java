package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.MasterFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, CLI: {@code procmaster reload} says what changed in words, not {@code ReloadSummary[...]}. */
class ReloadWordsTest {

    @Test
    void reloadNamesWhatWasAddedRemovedAndChangedAndCountsTheRest(@TempDir Path dir) throws Exception {
        int echo = MasterFixture.freePort();
        int added = MasterFixture.freePort();
        String kept = "127.0.0.1:" + echo + " inet n - n - 4 pm-echo\n"
                + "same unix - - n - 2 pm-echo\n"
                + "also unix - - n - 1 pm-echo\n";
        try (LiveMaster m = LiveMaster.start(dir, kept
                + "pickup unix - - n - 1 pm-echo\n"
                + "gone unix - - n - 1 pm-echo\n")) {
            Files.writeString(m.masterCf, kept
                    + "pickup unix - - n 30 2 pm-echo -v\n"
                    + "127.0.0.1:" + added + " inet n - n - 1 pm-echo\n");
            CliRun r = m.cli("reload");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).isEqualTo("reloaded: added 127.0.0.1:" + added + " ([127.0.0.1]:" + added + "/inet); "
                    + "removed gone (private/gone/unix); "
                    + "changed pickup (private/pickup/unix): wakeup 0 -> 30, maxproc 1 -> 2, args (none) -> -v; "
                    + "unchanged: 3\n");
            assertThat(r.out()).doesNotContain("ReloadSummary", "ok ");
            assertThat(MasterFixture.echo(added, "new one", 5000)).isEqualTo("new one");

            CliRun again = m.cli("reload");
            assertThat(again.out()).isEqualTo("reloaded: no changes; unchanged: 5\n");
        }
    }
}
