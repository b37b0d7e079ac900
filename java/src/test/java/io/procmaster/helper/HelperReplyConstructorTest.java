package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The public {@code HelperReply(Status, String, Map)} constructor reads its map once and owns what it
 * read (review 12b finding 2): a null key is refused where the reply is built, a map whose size
 * disagrees with its entries or that changes afterwards cannot make the reply inconsistent.
 */
class HelperReplyConstructorTest {
    @Test
    void aNullKeyIsRefusedWhereTheReplyIsBuilt() {
        Map<String, String> kv = new HashMap<>();
        kv.put(null, "v");
        assertThatThrownBy(() -> new HelperReply(HelperReply.Status.OK, "t", kv))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("kv key");
    }

    @Test
    void aMapWhoseSizeDisagreesWithItsEntriesGivesTheEntriesItHas() {
        Map<String, String> lying = new AbstractMap<>() {
            @Override
            public Set<Entry<String, String>> entrySet() {
                return Set.of(Map.entry("user", "alice"));
            }

            @Override
            public int size() {
                return 3;
            }
        };
        HelperReply reply = new HelperReply(HelperReply.Status.OK, "user=alice", lying);
        assertThat(reply.notes()).hasSize(1);
        assertThat(reply.note("user")).contains("alice");
        assertThat(reply.kv()).containsExactly(Map.entry("user", "alice"));
    }

    @Test
    void theReplyDoesNotChangeWithTheMapItWasBuiltFrom() {
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("user", "alice");
        HelperReply reply = new HelperReply(HelperReply.Status.OK, "user=alice", kv);
        kv.put("user", "mallory");
        kv.put("group", "admins");
        assertThat(reply.kv()).containsExactly(Map.entry("user", "alice"));
    }
}
