package io.procmaster.helper.squid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * squid.conf's lines as Squid 5.7 reads them (src/cache_cf.cc parseOneConfigFile, src/ConfigParser.cc):
 * comments, continuation, include with globs, if/else/endif, macros, quoted words, and errors that
 * name the file and line where they are, included files too (docs/helpers.md, "squid.conf → procmaster").
 */
class SquidConfLinesTest {
    @TempDir
    Path dir;

    @Test
    void commentsContinuationMacrosConditionalsAndQuotedWords() throws Exception {
        String text = String.join("\n",
                "# a comment",
                "   ",
                "  url_rewrite_program /bin/echo ${service_name}-${process_number} \\",
                "      \"two words\" 'x\\ty' # an inline comment",
                "if ${process_number} = 0",
                "url_rewrite_children 3",
                "else",
                "url_rewrite_children 9",
                "endif",
                "if false",
                "url_rewrite_children 11",
                "endif\r",
                "");
        SquidConf c = SquidConf.parse(text, "squid.conf");
        SquidHelper h = c.helper("url_rewrite").orElseThrow();
        assertThat(h.source()).isEqualTo(new SourceLine("squid.conf", 3,
                "url_rewrite_program /bin/echo squid-0 \"two words\" 'x\\ty' # an inline comment"));
        assertThat(h.spec().argv()).containsExactly("(echo)", "squid-0", "two words", "x\ty");
        assertThat(h.config().children()).isEqualTo(3);
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void includeReadsGlobbedFilesInOrderAndErrorsNameTheIncludedFileAndLine() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(sub.resolve("10-rewrite.conf"), "url_rewrite_program /bin/cat\n");
        Files.writeString(sub.resolve("20-children.conf"), "\nurl_rewrite_children 4 startup=7\n");
        Files.writeString(sub.resolve("ignored.txt"), "url_rewrite_children abc\n");
        Path top = dir.resolve("squid.conf");
        Files.writeString(top, "include " + sub + "/*.conf\nhttp_port 3128\n");
        SquidConf c = SquidConf.parse(top);
        assertThat(c.helper("url_rewrite").orElseThrow().config().children()).isEqualTo(4);
        assertThat(c.warnings()).singleElement().satisfies(w -> {
            assertThat(w.file()).isEqualTo(sub.resolve("20-children.conf").toString());
            assertThat(w.line()).isEqualTo(2);
            assertThat(w.message()).isEqualTo("WARNING OVERRIDE: Capping startup=7 to the defined maximum (4)");
        });
        assertThat(c.otherLines()).extracting(SourceLine::place).containsExactly(top + ":2");

        Files.writeString(sub.resolve("30-bad.conf"), "# first\nurl_rewrite_children abc\n");
        assertThatThrownBy(() -> SquidConf.parse(top)).isInstanceOf(SquidConfException.class)
                .hasMessage(sub.resolve("30-bad.conf") + ":2: url_rewrite_children: \"abc\": No digits were found in the input value 'abc'.");
        Files.writeString(top, "include " + dir.resolve("missing.conf") + "\n");
        assertThatThrownBy(() -> SquidConf.parse(top)).isInstanceOf(SquidConfException.class)
                .hasMessageStartingWith(top + ":1: include: \"" + dir.resolve("missing.conf") + "\": Unable to find configuration file");
    }

    @Test
    void lineDirectiveRenumbersAsSquidsDoes() throws Exception {
        SquidConf c = SquidConf.parse("#line 40 \"generated.conf\"\nurl_rewrite_children 2 idle=3\n", "squid.conf");
        assertThat(c.warnings()).filteredOn(SquidConfWarning::squidLogs).singleElement().satisfies(w -> {
            assertThat(w.file()).isEqualTo("generated.conf");
            assertThat(w.line()).isEqualTo(40);
        });
    }

    @Test
    void quotedValuesOnMakesPlainTokensQuotedAndStrict() throws Exception {
        SquidConf c = SquidConf.parse(String.join("\n", "configuration_includes_quoted_values on",
                "external_acl_type \"my acl\" \"%SRC\" /bin/cat"), "squid.conf");
        assertThat(c.helper("my acl")).isPresent();
        // As in Squid (checked with squid -k parse): strict mode refuses an unquoted %macro too.
        assertThatThrownBy(() -> SquidConf.parse("configuration_includes_quoted_values on\nexternal_acl_type a %SRC /bin/cat\n", "squid.conf"))
                .isInstanceOf(SquidConfException.class).hasMessageContaining("Not alphanumeric character '%' in unquoted token %SRC");
        assertThatThrownBy(() -> SquidConf.parse("configuration_includes_quoted_values on\nexternal_acl_type a ttl=$x %SRC /bin/cat\n", "squid.conf"))
                .isInstanceOf(SquidConfException.class).hasMessageContaining("Not alphanumeric character '$' in unquoted token ttl=$x");
    }

    @Test
    void malformedLinesAreErrorsNamingFileLineAndValue() {
        assertThatThrownBy(() -> SquidConf.parse("url_rewrite_program /bin/cat \"open\n", "squid.conf"))
                .isInstanceOf(SquidConfException.class).hasMessage("squid.conf:1: url_rewrite_program: \"\"open\": missing quote char at the end of quoted string");
        assertThatThrownBy(() -> SquidConf.parse("if 1 = 1\nurl_rewrite_children 2\n", "squid.conf"))
                .isInstanceOf(SquidConfException.class).hasMessage("squid.conf:1: if: \"1 = 1\": if-statement without 'endif'");
        assertThatThrownBy(() -> SquidConf.parse("url_rewrite_children 2 \\\n", "squid.conf"))
                .isInstanceOf(SquidConfException.class).hasMessageContaining("squid.conf:1: ");
        assertThatThrownBy(() -> SquidConf.parse("include !/bin/generate-config\n", "squid.conf"))
                .isInstanceOf(SquidConfException.class).hasMessageContaining("reading configuration from a command is not supported");
    }
}
