package io.procmaster.helper.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperReply.Code;
import io.procmaster.helper.HelperReply.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The parser against Squid 5.7's Helper::Reply::finalize / parseResponseKeys, rule by rule
 * (docs/helpers.md, "Squid reads → procmaster reads"). Each expected value was worked out from
 * Squid's code path for that line.
 */
class HelperReplyParserTest {
    private static HelperReply parse(String s) {
        return HelperReplyParser.parse(s);
    }

    private static List<String> notes(HelperReply r) {
        return r.notes().stream().map(HelperReply.Note::toString).toList();
    }

    @Test
    void resultCodesAsSquidMapsThem() {
        assertThat(parse("OK").status()).isEqualTo(Status.OK);
        assertThat(parse("OK ").status()).isEqualTo(Status.OK);
        assertThat(parse("ERR").status()).isEqualTo(Status.ERR);
        assertThat(parse("ERR x").code()).isEqualTo(Code.ERR);
        assertThat(parse("BH").status()).isEqualTo(Status.BH);
        HelperReply tt = parse("TT TlRMTVNTUAACAAAA k=v");
        assertThat(tt.status()).isEqualTo(Status.TT);
        assertThat(tt.code()).isEqualTo(Code.TT);
        assertThat(notes(tt)).containsExactly("token=TlRMTVNTUAACAAAA", "k=v");
        HelperReply af = parse("AF WORKGROUP\\alice");
        assertThat(af.status()).isEqualTo(Status.OK);
        assertThat(af.code()).isEqualTo(Code.AF);
        assertThat(af.user()).hasValue("WORKGROUP\\alice");
        assertThat(af.token()).isEmpty();
        HelperReply negotiate = parse("AF YIIB user@REALM");
        assertThat(notes(negotiate)).containsExactly("token=YIIB", "user=user@REALM");
        HelperReply na = parse("NA invalid credentials, user=WORKGROUP\\bob");
        assertThat(na.status()).isEqualTo(Status.ERR);
        assertThat(na.code()).isEqualTo(Code.NA);
        assertThat(notes(na)).as("no kv parsing on NA").containsExactly("message=invalid credentials, user=WORKGROUP\\bob");
        assertThat(na.other()).isEmpty();
    }

    @Test
    void codesNeedTheirSpaceAndTheLineStart() {
        assertThat(parse("OK\tx").status()).as("a tab is not the space Squid checks").isEqualTo(Status.UNKNOWN);
        assertThat(parse("OKAY").status()).isEqualTo(Status.UNKNOWN);
        assertThat(parse("TT").status()).as("TT needs its space").isEqualTo(Status.UNKNOWN);
        assertThat(parse("AF").status()).isEqualTo(Status.UNKNOWN);
        assertThat(parse("NA").status()).isEqualTo(Status.UNKNOWN);
        assertThat(parse(" OK").status()).isEqualTo(Status.UNKNOWN);
        assertThat(parse(" OK").other()).isEqualTo("OK");
        assertThat(parse("O").status()).isEqualTo(Status.UNKNOWN);
        assertThat(parse(" ").status()).as("one byte: no code, whitespace dropped").isEqualTo(Status.UNKNOWN);
        HelperReply empty = parse("");
        assertThat(empty.status()).isEqualTo(Status.ERR);
        assertThat(empty.code()).isEqualTo(Code.NONE);
    }

    @Test
    void ttWithoutTokenIsBrokenHelper() {
        HelperReply r = parse("TT ");
        assertThat(r.status()).isEqualTo(Status.BH);
        assertThat(r.code()).isEqualTo(Code.TT);
        assertThat(r.message()).hasValue("Missing 'token' data");
        assertThat(parse("AF ").status()).isEqualTo(Status.OK);
        assertThat(parse("AF ").notes()).isEmpty();
    }

    @Test
    void annotationsStopAtTheFirstWordThatIsNotOne() {
        HelperReply r = parse("OK store-id=http://x 127.0.0.1/127.0.0.1 - GET myip=127.0.0.1 myport=3128");
        assertThat(notes(r)).containsExactly("store-id=http://x");
        assertThat(r.other()).isEqualTo("127.0.0.1/127.0.0.1 - GET myip=127.0.0.1 myport=3128");
        assertThat(r.text()).isEqualTo("store-id=http://x 127.0.0.1/127.0.0.1 - GET myip=127.0.0.1 myport=3128");
        assertThat(parse("OK k= v=1").notes()).as("whitespace after '=' ends the notes").isEmpty();
        assertThat(notes(parse("OK k="))).containsExactly("k=");
        assertThat(notes(parse("OK =x"))).as("Squid accepts an empty key").containsExactly("=x");
        assertThat(parse("OK a.b=1").notes()).as("'.' is no key character").isEmpty();
    }

    @Test
    void duplicateKeysKeptInOrderAndKvIsTheFirst() {
        HelperReply r = parse("OK tag=a group=x tag=b");
        assertThat(notes(r)).containsExactly("tag=a", "group=x", "tag=b");
        assertThat(r.kv()).containsExactly(java.util.Map.entry("tag", "a"), java.util.Map.entry("group", "x"));
        assertThat(r.note("tag")).hasValue("a");
    }

    @Test
    void quotingAsStrwordtok() {
        assertThat(parse("OK m=\"two words\"").note("m")).hasValue("two words");
        assertThat(parse("OK m=a\"b c\"d").note("m")).as("quotes toggle anywhere").hasValue("ab cd");
        assertThat(parse("OK m=\"a\\nb\\\"c\\\\d\\re\"").note("m")).hasValue("a\nb\"c\\d\re");
        assertThat(parse("OK u=WORKGROUP\\alice").note("u")).as("unquoted backslash is a byte").hasValue("WORKGROUP\\alice");
        assertThat(parse("OK u=a\\nb").note("u")).hasValue("a\\nb");
        assertThat(parse("OK q=\"unterminated rest").note("q")).hasValue("unterminated rest");
        assertThat(parse("OK q=\"\" x=1").kv()).containsEntry("q", "").containsEntry("x", "1");
        assertThat(parse("OK q=\"a\\").note("q")).as("quoted backslash at the end").hasValue("a");
    }

    @Test
    void percentDecodingAsRfc1738Unescape() {
        assertThat(parse("OK url=http%3A%2F%2Fx%2F").note("url")).hasValue("http://x/");
        assertThat(parse("OK m=\"%41\"").note("m")).as("quoted values are not unescaped").hasValue("%41");
        assertThat(parse("OK m=a\"%41\"").note("m")).as("only a leading quote stops unescaping").hasValue("aA");
        assertThat(parse("OK p=100%% x").note("p")).hasValue("100%");
        assertThat(parse("OK p=%00 x").note("p")).as("%00 is kept").hasValue("%00");
        assertThat(parse("OK p=%zz").note("p")).hasValue("%zz");
        assertThat(parse("OK p=%4").note("p")).hasValue("%4");
        assertThat(parse("OK p=%% x").note("p")).as("3 bytes with the separator: unescaped").hasValue("%");
        assertThat(parse("OK p=%%").note("p")).as("2 bytes at the end: Squid skips unescaping").hasValue("%%");
        assertThat(parse("OK p=%F6").noteBytes("p")).hasValueSatisfying(b -> assertThat(b).containsExactly(0xF6));
    }

    @Test
    void bhAndNaTextIsTheMessage() {
        HelperReply r = parse("BH wrong packet type! user=");
        assertThat(notes(r)).containsExactly("message=wrong packet type! user=");
        assertThat(r.kv()).doesNotContainKey("user");
        assertThat(r.other()).isEmpty();
        HelperReply both = parse("BH message=\"helper said\" and more");
        assertThat(notes(both)).containsExactly("message=helper said", "message=and more");
        assertThat(both.message()).hasValue("helper said");
        assertThat(parse("BH").notes()).isEmpty();
        assertThat(parse("NA ").notes()).isEmpty();
    }

    @Test
    void legacyRepliesKeepTheirText() {
        HelperReply r = parse("http://rewritten.example/ 302");
        assertThat(r.status()).isEqualTo(Status.UNKNOWN);
        assertThat(r.other()).isEqualTo("http://rewritten.example/ 302");
        assertThat(r.text()).isEqualTo("http://rewritten.example/ 302");
        assertThat(r.kv()).isEmpty();
        HelperReply kv = parse("status=302 url=http://x/");
        assertThat(kv.status()).as("no code, but Squid still reads notes").isEqualTo(Status.UNKNOWN);
        assertThat(notes(kv)).containsExactly("status=302", "url=http://x/");
        assertThat(parse("OK r0").other()).isEqualTo("r0");
        assertThat(parse("OK r0 ").other()).as("Squid keeps trailing bytes in other").isEqualTo("r0 ");
        assertThat(parse("OK r0 ").text()).isEqualTo("r0");
    }

    @Test
    void rawBytesAndDecoding() {
        assertThat(parse("OK").raw()).containsExactly('O', 'K');
        assertThat(parse("OK ").raw()).containsExactly('O', 'K', ' ');
        byte[] latin1 = "xxAF WORKGROUP\\j\u00f6rg".getBytes(StandardCharsets.ISO_8859_1);
        HelperReply r = HelperReplyParser.parse(latin1, 2, latin1.length - 2);
        assertThat(r.userBytes()).hasValueSatisfying(b ->
                assertThat(b).isEqualTo("WORKGROUP\\j\u00f6rg".getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(r.user()).as("not UTF-8: one char per byte").hasValue("WORKGROUP\\j\u00f6rg");
        latin1[5] = 'X'; // the caller reuses its buffer: the reply has its own copy
        assertThat(r.rawText()).isEqualTo("AF WORKGROUP\\j\u00f6rg");
        assertThat(parse("AF WORKGROUP\\j\u00f6rg").user()).as("valid UTF-8 decodes as UTF-8").hasValue("WORKGROUP\\j\u00f6rg");
        assertThat(parse("AF WORKGROUP\\j\u00f6rg").userBytes().orElseThrow()).hasSize(15);
        assertThat(ReplyText.decode(new byte[] {(byte) 0xC3}, 0, 1)).isEqualTo("\u00c3");
        assertThat(ReplyText.decode(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 0, 3))
                .as("an encoded surrogate is not UTF-8").isEqualTo("\u00ed\u00a0\u0080");
    }

    @Test
    void nulBytesAreOrdinaryBytes() {
        HelperReply r = HelperReplyParser.parse(new byte[] {'O', 'K', ' ', 'a', '=', 0, 'b'}, 0, 7);
        assertThat(r.noteBytes("a")).hasValueSatisfying(b -> assertThat(b).containsExactly(0, 'b'));
    }

    @Test
    void theRepliesFactoryIsNotPublicApi() {
        // Review 12 item 5: a public factory adopting the caller's arrays let anyone mutate an "immutable" reply.
        assertThat(java.util.Arrays.stream(HelperReply.class.getMethods()).map(java.lang.reflect.Method::getName))
                .doesNotContain("parsed", "decode");
    }

    @Test
    void aNoteRangeWhoseEndOverflowsIsRefused() {
        // off + len overflowed: {1, MAX_VALUE} passed the check and failed later in noteBytes.
        byte[] line = "OK a=b".getBytes(StandardCharsets.US_ASCII);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReplyFactory.get().parsed(Status.OK, Code.OK, line, line.length, 2, 2,
                new String[] {"a"}, new int[] {1, Integer.MAX_VALUE}, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside");
    }

    @Test
    void channelIdParsingIsSquidsStrtolBoundedToEighteenDigits() {
        // Squid 5.7 helperHandleRead: strtol (leading whitespace, a sign), then any xisspace or the end.
        assertThat(id("12 OK")).isEqualTo(12);
        assertThat(id("12\tOK")).isEqualTo(12);
        assertThat(id("12")).isEqualTo(12);
        assertThat(id(" 12 OK")).as("leading whitespace is skipped").isEqualTo(12);
        assertThat(id("\n1 OK")).as("the LF a helper wrote after the previous 0x01").isEqualTo(1);
        assertThat(id("\r\n\u000b\f\t 7 OK")).isEqualTo(7);
        assertThat(id("0\nOK 5")).as("any xisspace after the id").isZero();
        assertThat(id("3\u000bOK")).isEqualTo(3);
        assertThat(id("+1 OK")).as("strtol takes a plus sign").isEqualTo(1);
        assertThat(id("-1 OK")).as("no negative channel").isEqualTo(-1);
        assertThat(id("12x OK")).isEqualTo(-1);
        assertThat(id("")).isEqualTo(-1);
        assertThat(id(" \n")).as("whitespace only: no id").isEqualTo(-1);
        assertThat(id("OK 12")).isEqualTo(-1);
        assertThat(id("9".repeat(30) + " OK")).as("bounded: no overflow").isEqualTo(-1);
        assertThat(id("9".repeat(19))).isEqualTo(-1);
        assertThat(id("9".repeat(18))).isEqualTo(999_999_999_999_999_999L);
        assertThat(id("0".repeat(40) + "5 OK")).as("leading zeros are not significant").isEqualTo(5);
        byte[] b = "xx12 \t OK x".getBytes(StandardCharsets.US_ASCII);
        assertThat(WireFormat.parseId(b, 2, b.length - 2)).isEqualTo(12);
        assertThat(WireFormat.afterId(b, 2, b.length - 2)).isEqualTo(7);
        byte[] c = "\n+07\n\r OK".getBytes(StandardCharsets.US_ASCII);
        assertThat(WireFormat.parseId(c, 0, c.length)).isEqualTo(7);
        assertThat(WireFormat.afterId(c, 0, c.length)).as("after the id and every xisspace").isEqualTo(7);
    }

    private static long id(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return WireFormat.parseId(b, 0, b.length);
    }

    /** The loop's reusable reader: line after line, every reply equals the one parse() reads alone. */
    @Test
    void reusedReader_readsEachLineAsParseDoes_whateverCameBefore() {
        List<String> lines = List.of("OK user=alice group=\"a b\" message=x%20y", "OK", "", "TT abc", "TT",
                "AF tok bob", "AF bob", "NA denied here", "BH crashed message=ignored", "ERR a=1 b=2 c=3 d=4 e=5",
                "ERR", "hello world", "OK x=", "OK log=%%41");
        HelperReplyParser.Reader reader = new HelperReplyParser.Reader();
        byte[] buffer = new byte[256];
        for (int round = 0; round < 2; round++) {
            for (String line : lines) {
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                System.arraycopy(b, 0, buffer, 3, b.length); // at an offset, in an array the caller reuses
                HelperReply reused = reader.parse(buffer, 3, b.length);
                java.util.Arrays.fill(buffer, (byte) '=');    // the reply must own its bytes
                HelperReply alone = HelperReplyParser.parse(line);
                assertThat(reused).as(line).isEqualTo(alone);
                assertThat(notes(reused)).as(line).isEqualTo(notes(alone));
                assertThat(reused.other()).as(line).isEqualTo(alone.other());
            }
        }
    }
}
