package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static io.procmaster.helper.SquidResultCodesTest.ask;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.HelperReply.Status;
import io.procmaster.testing.SquidHelpers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 1: annotations read as Squid 5.7's parseResponseKeys reads them: {@code key=value}
 * pairs until the first word that is not one (the rest stays in {@code other}), duplicates kept in
 * order ({@code kv()} is the first value, as Squid's findFirst), strwordtok quoting, %-unescaping.
 * The store-ID helper here echoes Squid's request extras after its answer, as in the issue; it runs as
 * a fake and as a real process (a shell script), and Squid's own storeid_file_rewrite runs too.
 *
 * <p>Before (previous parser): {@code kv} also held {@code myip} and {@code myport} ("to contain only
 * following keys: [store-id], and keys not expected: [myip, myport]").
 */
class SquidAnnotationsTest {
    private static final String REQUEST = "http://a.example/x 127.0.0.1/127.0.0.1 - GET myip=127.0.0.1 myport=3128";
    private static final String EXTRAS = "127.0.0.1/127.0.0.1 - GET myip=127.0.0.1 myport=3128";

    @TempDir
    Path dir;

    @Test
    void item1_annotationsStopAtTheFirstWordThatIsNotKeyValue() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        FakeHelper h = f.launcher.helper(0);
        var r = f.submit(REQUEST);
        h.reply("OK store-id=http://x " + EXTRAS);
        var dup = f.submit("tags");
        h.reply("OK tag=a message=\"two words\" tag=b url=http%3A%2F%2Fy%2F");
        HelperReply reply = r.join();
        assertThat(reply.kv()).containsOnlyKeys("store-id");
        assertThat(reply.note("store-id")).hasValue("http://x");
        assertThat(reply.other()).as("the rest, as Squid keeps it").isEqualTo(EXTRAS);
        HelperReply d = dup.join();
        assertThat(d.notes()).extracting(HelperReply.Note::toString)
                .containsExactly("tag=a", "message=two words", "tag=b", "url=http://y/");
        assertThat(d.kv()).containsEntry("tag", "a");
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void item1_anEchoingStoreIdHelperAsARealProcess() throws Exception {
        Path script = dir.resolve("storeid-echo");
        Files.writeString(script, "#!/bin/sh\nwhile read url rest; do echo \"OK store-id=$url $rest\"; done\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("storeid").children(1).startup(1).build(),
                HelperSpec.builder("storeid-echo", script.toString()).build())) {
            HelperReply reply = ask(r, REQUEST);
            assertThat(reply.rawText()).isEqualTo("OK store-id=http://a.example/x " + EXTRAS);
            assertThat(reply.kv()).containsExactly(Map.entry("store-id", "http://a.example/x"));
            assertThat(reply.other()).isEqualTo(EXTRAS);
        }
    }

    @Test
    void item1_squidsStoreidFileRewriteThroughARealPool() throws Exception {
        Path db = dir.resolve("storeid.db");
        Files.writeString(db, "http://a.example/x\thttp://cdn.example.squid.internal/x\n");
        String program = SquidHelpers.program("storeid_file_rewrite").toString();
        try (HelperPools.Running r = HelperPools.startWithOwnLoop(HelperPoolConfig.builder("storeid").children(1).startup(1).build(),
                HelperSpec.builder("storeid_file_rewrite", program).args(db.toString()).build())) {
            HelperReply hit = ask(r, REQUEST);
            assertThat(hit.status()).isEqualTo(Status.OK);
            assertThat(hit.kv()).containsExactly(Map.entry("store-id", "http://cdn.example.squid.internal/x"));
            HelperReply miss = ask(r, "http://b.example/ " + EXTRAS);
            assertThat(miss.status()).isEqualTo(Status.ERR);
            assertThat(miss.notes()).isEmpty();
        }
    }
}
