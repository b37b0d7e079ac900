package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The CLI's JSON writer, read back by Jackson: RFC 8259 escaping, nesting, commas, numbers. */
class JsonWriterTest {
    private final ObjectMapper jackson = new ObjectMapper();

    @Test
    void everyStringComesBackAsItWasWritten() throws Exception {
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            controls.append(c);
        }
        String[] strings = {"", "plain", "quote \" and backslash \\", controls.toString(), "\u007f\u0080é€",
            "pair \ud83d\ude00 emoji", "/slash", "line\u2028separator"};
        JsonWriter w = new JsonWriter().beginArray();
        for (String s : strings) {
            w.value(s);
        }
        String text = w.endArray().toString();
        assertThat(text).doesNotContainPattern("[\\x00-\\x1f]"); // raw control characters are not allowed
        JsonNode back = jackson.readTree(text);
        assertThat(back.size()).isEqualTo(strings.length);
        for (int i = 0; i < strings.length; i++) {
            assertThat(back.get(i).asText()).isEqualTo(strings[i]);
        }
    }

    @Test
    void aLoneSurrogateIsEscapedNotMangled() throws Exception {
        String text = new JsonWriter().beginArray().value("a\ud800b").value("\udc00").value("x\ud83d").endArray()
                .toString();
        assertThat(text).isEqualTo("[\"a\\ud800b\",\"\\udc00\",\"x\\ud83d\"]");
        assertThat(jackson.readTree(text).get(0).asText()).isEqualTo("a\ud800b");
    }

    @Test
    void objectsArraysAndNumbersNestWithCommasInPlace() throws Exception {
        String text = new JsonWriter().beginObject()
                .name("n").value(-42L)
                .name("big").value(Long.MAX_VALUE)
                .name("d").value(new BigDecimal("59.500000000"))
                .name("zero").value(BigDecimal.ZERO.setScale(9))
                .name("t").value(true)
                .name("none").nullValue()
                .name("list").beginArray().beginObject().endObject().beginArray().endArray().value(1).endArray()
                .name("o").beginObject().name("k").value("v").endObject()
                .endObject().toString();
        assertThat(text).isEqualTo("{\"n\":-42,\"big\":9223372036854775807,\"d\":59.5,\"zero\":0,\"t\":true,"
                + "\"none\":null,\"list\":[{},[],1],\"o\":{\"k\":\"v\"}}");
        JsonNode back = jackson.readTree(text);
        assertThat(back.get("big").asLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(back.get("d").decimalValue()).isEqualByComparingTo("59.5");
    }

    @Test
    void misuseIsRefused() {
        assertThatThrownBy(() -> new JsonWriter().beginObject().value(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginArray().name("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginArray().endObject()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginObject().name("a").name("b"))
                .isInstanceOf(IllegalStateException.class);
    }
}
