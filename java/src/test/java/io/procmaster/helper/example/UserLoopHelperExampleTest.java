package io.procmaster.helper.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link UserLoopHelperExample} as {@code examples/helpers/run-user-loop.sh} does, on the
 * repository's {@code upper.sh}, and checks the output its README promises: every reply in order,
 * the pool's counters, and no procmaster thread.
 */
class UserLoopHelperExampleTest {
    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("examples/helpers/upper.sh");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new AssertionError("examples/helpers/upper.sh not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void printsTheRepliesInOrderWithNoProcmasterThread() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            UserLoopHelperExample.main(new String[] {script().toString(), "one", "bad", "two"});
        } finally {
            System.setOut(saved);
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "one -> OK ONE",
                "bad -> ERR message=\"cannot shout that\"",
                "two -> OK TWO",
                "helpers running: 2, requests: 3, replies: 3, deaths: 0",
                "procmaster threads: 0",
                "pool shut down");
    }
}
