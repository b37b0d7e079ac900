package io.procmaster.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a configuration file (main.cf, master.cf) for its parser and turns its bytes into text,
 * one physical line at a time, so that a bad byte is reported at its line.
 *
 * <p>Interface: {@link #read} gives the file's bytes; {@link #decode} the text, with the same line
 * structure (lines end at LF; a CR before it stays part of the line, for {@link LogicalLines}).
 *
 * <p>Decoding is strict UTF-8 (no replacement characters). A line whose bytes are not UTF-8 is an
 * error {@code <file>: line <n>: invalid UTF-8 byte 0x<NN> at column <c>} (the first bad byte of
 * the line; the column counts bytes from 1), one error per bad line, all lines reported at once.
 * Exception: a comment line (first non-whitespace character {@code #}) is ignored by both parsers,
 * so its bytes are tolerated, as Postfix treats configuration as bytes (old files often carry
 * Latin-1 comments); its bad bytes decode to U+FFFD and the line is dropped by the parser.
 *
 * <p>Failure modes: a file that cannot be read is one {@link ConfigException} naming the file as
 * given, at line 0 (there is no line), with the system's reason; bad bytes as above.
 */
final class ConfigFiles {
    private ConfigFiles() {
    }

    /** The file's bytes. */
    static byte[] read(Path file) throws ConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(ConfigError.message("cannot read: " + e.getMessage()).at(file.toString(), 0), e);
        }
    }

    /**
     * The text of {@code content}, decoded line by line; errors name {@code fileName}.
     *
     * @throws ConfigException with one error per line that is not UTF-8 and not a comment
     */
    static String decode(String fileName, byte[] content) throws ConfigException {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        StringBuilder text = new StringBuilder(content.length);
        List<ConfigError> errors = new ArrayList<>();
        int line = 1;
        for (int start = 0; start <= content.length; line++) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            if (start > 0) {
                text.append('\n');
            }
            decodeLine(fileName, line, content, start, end, strict, text, errors);
            start = end + 1;
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return text.toString();
    }

    private static void decodeLine(String fileName, int line, byte[] b, int from, int to, CharsetDecoder strict,
                                   StringBuilder text, List<ConfigError> errors) {
        boolean ascii = true;
        for (int i = from; i < to && ascii; i++) {
            ascii = b[i] >= 0;
        }
        if (ascii) {
            text.append(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(b, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from);
        strict.reset();
        CoderResult r = strict.decode(in, out, true);
        if (!r.isError()) {
            r = strict.flush(out);
        }
        if (!r.isError()) {
            text.append(out.flip());
            return;
        }
        int bad = in.position();
        String lenient = new String(b, from, to - from, StandardCharsets.UTF_8);
        String stripped = lenient.strip();
        if (stripped.startsWith("#")) {
            text.append(lenient); // a comment: dropped by LogicalLines, whatever its bytes
            return;
        }
        errors.add(ConfigError.message(String.format("invalid UTF-8 byte 0x%02X at column %d",
                b[bad] & 0xff, bad - from + 1)).at(fileName, line));
        text.append(lenient);
    }
}
