package io.procmaster.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a configuration file (main.cf, master.cf) for its parser.
 *
 * <p>Failure modes: a file that cannot be read is one {@link ConfigException} naming the file as
 * given, at line 0, with the system's reason.
 */
final class ConfigFiles {
    private ConfigFiles() {
    }

    /** The file's text (UTF-8). */
    static String read(Path file) throws ConfigException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(ConfigError.message("cannot read: " + e.getMessage()).at(file.toString(), 0), e);
        }
    }
}
