package io.procmaster.helper.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.HelperReply;
import org.junit.jupiter.api.Test;

class HelperReplyParserTest {
    @Test
    void resultTokensAndAnnotations() {
        HelperReply r = HelperReplyParser.parse("OK user=bob url=http%3A%2F%2Fx%2F message=\"two words\" plain");
        assertThat(r.status()).isEqualTo(HelperReply.Status.OK);
        assertThat(r.kv()).containsEntry("user", "bob").containsEntry("url", "http://x/").containsEntry("message", "two words");
        assertThat(r.kv()).doesNotContainKey("plain");
        assertThat(r.text()).startsWith("user=bob");
    }

    @Test
    void errAndBhAndQuotedEscapes() {
        assertThat(HelperReplyParser.parse("ERR").status()).isEqualTo(HelperReply.Status.ERR);
        HelperReply bh = HelperReplyParser.parse("BH message=\"a \\\"quote\\\"\"");
        assertThat(bh.status()).isEqualTo(HelperReply.Status.BH);
        assertThat(bh.kv()).containsEntry("message", "a \"quote\"");
    }

    @Test
    void emptyReplyMeansErr() {
        assertThat(HelperReplyParser.parse("").status()).isEqualTo(HelperReply.Status.ERR);
    }

    @Test
    void legacyFreeTextIsPassedThrough() {
        HelperReply r = HelperReplyParser.parse("http://rewritten.example/ 302");
        assertThat(r.status()).isEqualTo(HelperReply.Status.UNKNOWN);
        assertThat(r.text()).isEqualTo("http://rewritten.example/ 302");
        assertThat(r.kv()).isEmpty();
        assertThat(HelperReplyParser.parse("OKAY").status()).isEqualTo(HelperReply.Status.UNKNOWN);
    }

    @Test
    void malformedAnnotationsNeverThrow() {
        HelperReply r = HelperReplyParser.parse("OK =x k= bad%zz q=\"unterminated");
        assertThat(r.kv()).containsEntry("k", "").containsEntry("q", "unterminated");
    }

    @Test
    void channelIdParsingIsStrict() {
        assertThat(WireFormat.parseId("12 OK")).isEqualTo(12);
        assertThat(WireFormat.parseId("12\tOK")).isEqualTo(12);
        assertThat(WireFormat.parseId("12")).isEqualTo(12);
        assertThat(WireFormat.parseId(" 12 OK")).isEqualTo(-1);
        assertThat(WireFormat.parseId("+1 OK")).isEqualTo(-1);
        assertThat(WireFormat.parseId("12x OK")).isEqualTo(-1);
        assertThat(WireFormat.parseId("9".repeat(30) + " OK")).isEqualTo(-1);
        assertThat(WireFormat.afterId("12 \t OK x")).isEqualTo("OK x");
    }
}
