package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 9 (config bytes): every byte sequence in master.cf or main.cf ends in acceptance or in
 * {@code file: line N: ...}; never a whole-file error without a line, never an unchecked exception.
 */
class ConfigBytesTest {
    @TempDir
    Path dir;

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    private MasterConfig config() throws ConfigException {
        return MasterConfig.of(java.util.Map.of("queue_directory", dir.toString(), "services_file", ""));
    }

    private ConfigException masterCfError(byte[] content) throws Exception {
        Path f = Files.write(dir.resolve("master.cf"), content);
        MasterCfParser parser = new MasterCfParser(config());
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> parser.parse(f));
        assertThat(t).as("parsing must end in a ConfigException").isInstanceOf(ConfigException.class);
        return (ConfigException) t;
    }

    @Test
    void defect9_invalidUtf8ByteIsReportedWithLineAndColumn() throws Exception {
        Path f = dir.resolve("master.cf");
        ConfigException e = masterCfError(bytes("foo unix n - n - 3 pm-echo\n", "bar unix n - n - 3 pm-", 0xC3, "(\n"));
        assertThat(e.report()).isEqualTo(f + ": line 2: invalid UTF-8 byte 0xC3 at column 23\n");
    }

    @Test
    void defect9_invalidUtf8ByteInACommentIsTolerated() throws Exception {
        Path f = Files.write(dir.resolve("master.cf"),
                bytes("# caf", 0xE9, " (Latin-1)\n", "   #", 0xFF, "\n", "foo unix n - n - 3 pm-echo\n"));
        ServiceTable table = new MasterCfParser(config()).parse(f);
        assertThat(table.services()).hasSize(1);
    }

    @Test
    void defect9_truncatedMultiByteSequenceAtEndOfFileNamesTheLastLine() throws Exception {
        Path f = dir.resolve("master.cf");
        ConfigException e = masterCfError(bytes("foo unix n - n - 3 pm-echo\n\nbar unix n - n - 3 x", 0xE2, 0x82));
        assertThat(e.report()).isEqualTo(f + ": line 3: invalid UTF-8 byte 0xE2 at column 21\n");
    }

    @Test
    void defect9_nulInServiceNameIsAFieldErrorWithFileAndLine() throws Exception {
        Path f = dir.resolve("master.cf");
        ConfigException e = masterCfError(bytes("foo unix n - n - 3 pm-echo\nb", 0, "r unix n - n - 3 pm-echo\n"));
        assertThat(e.report()).startsWith(f + ": line 2: field \"service\": bad value: \"b\\x00r\": ");
    }

    @Test
    void defect9_controlCharacterInServiceNameIsAFieldError() throws Exception {
        Path f = dir.resolve("master.cf");
        ConfigException e = masterCfError(bytes("b", 0x1B, "[31mr unix n - n - 3 pm-echo\n"));
        assertThat(e.report()).startsWith(f + ": line 1: field \"service\": bad value: \"b\\x1B[31mr\": ");
    }

    @Test
    void defect9_nulInCommandAndArgumentAreFieldErrors() throws Exception {
        Path f = dir.resolve("master.cf");
        ConfigException e = masterCfError(bytes("foo unix n - n - 3 pm-", 0, "echo\n",
                "bar unix n - n - 3 pm-echo -o x=a", 0, "b\n", "baz unix n - n - 3 pm-echo { a", 0, " b }\n"));
        assertThat(e.errors()).hasSize(3);
        assertThat(e.report()).contains(f + ": line 1: field \"command\": bad value: \"pm-\\x00echo\": ")
                .contains(f + ": line 2: field \"args\": bad value: \"x=a\\x00b\": ")
                .contains(f + ": line 3: field \"args\": bad value: \"a\\x00 b\": ");
    }

    @Test
    void defect9_mainCfInvalidUtf8AndNulInAPathParameterNameTheirLines() throws Exception {
        Path f = Files.write(dir.resolve("main.cf"), bytes("# ok\ninet_interfaces = loopback-only\n",
                "services_file = /etc/serv", 0, "ices\n", "queue_directory = /var/", 0xC0, "x\n"));
        assertThatThrownBy(() -> MainCfParser.parse(f)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.report()).isEqualTo(f + ": line 4: invalid UTF-8 byte 0xC0 at column 24\n"));
        Files.write(f, bytes("inet_interfaces = loopback-only\n", "services_file = /etc/serv", 0, "ices\n"));
        assertThatThrownBy(() -> MainCfParser.parse(f)).isInstanceOfSatisfying(ConfigException.class, e ->
                assertThat(e.report()).startsWith(f + ": line 2: parameter \"services_file\": bad value: "
                        + "\"/etc/serv\\x00ices\": "));
    }
}
