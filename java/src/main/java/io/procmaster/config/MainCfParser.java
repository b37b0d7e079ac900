package io.procmaster.config;

import io.procmaster.log.Logs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * Parses a main.cf-style file of {@code name = value} lines into a {@link MasterConfig}.
 *
 * <p>Syntax: logical lines as {@code LogicalLines} describes (comments, blank lines,
 * whitespace-led continuation lines joined with one space). Each logical line is
 * {@code name = value}; whitespace around the name and the value is ignored and the value
 * may be empty. Names are letters, digits and underscores. A later setting of the same name
 * wins, with a warning. Parameters the master does not know are kept, unchecked here; which of
 * them nothing reads is decided with master.cf ({@code UnusedParameters}, through the
 * {@link Result#settings()}). No
 * {@code $name} expansion: the master's own parameters do not need it (docs/postfix-master.md does not
 * require it), and a {@code $} is taken literally.
 *
 * <p>Failure modes: {@link ConfigException} with every error of the file: a line with no
 * {@code =} or a bad name ({@code <file>: line <n>: …}), and each known parameter with a bad
 * value ({@code <file>: line <n>: parameter "<name>": bad value: "<v>": <reason>}, the line
 * being where the winning value was set). An unreadable file is one error naming the file.
 * A line that is not UTF-8 (comments excepted) is an error naming its line and the bad byte's
 * column (see {@link ConfigFiles#decode}).
 */
public final class MainCfParser {

    private static final Logger log = Logs.logger(MainCfParser.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

    /**
     * A parsed main.cf.
     *
     * @param config   the configuration: defaults with the file's values over them
     * @param warnings warnings met while parsing (settings overridden later in the file)
     * @param settings the settings that won, each with the line it was set on, in line order:
     *                 what {@code UnusedParameters} checks once master.cf is known
     */
    public record Result(MasterConfig config, List<String> warnings, List<ParameterSetting> settings) {
        /** A parse result; the lists are copied. */
        public Result {
            warnings = List.copyOf(warnings);
            settings = List.copyOf(settings);
        }
    }

    private MainCfParser() {
    }

    /**
     * Reads and parses {@code file}; messages name the file as given.
     *
     * @throws ConfigException with every error, or one error if the file cannot be read
     */
    public static Result parse(Path file) throws ConfigException {
        return parse(file.toString(), ConfigFiles.read(file));
    }

    /**
     * Parses the bytes of a file named {@code fileName}: each line is decoded as UTF-8 on its
     * own, so that a bad byte is reported at its line (see {@link ConfigFiles#decode}).
     *
     * @throws ConfigException with every bad line, or with every error of the decoded content
     */
    public static Result parse(String fileName, byte[] content) throws ConfigException {
        return parse(fileName, ConfigFiles.decode(fileName, content));
    }

    /**
     * Parses {@code content}; messages name {@code fileName}.
     *
     * @throws ConfigException with every error of the content
     */
    public static Result parse(String fileName, String content) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        for (LogicalLine line : LogicalLines.split(content)) {
            String text = line.text();
            int eq = text.indexOf('=');
            if (eq < 0) {
                errors.add(ConfigError.message("missing \"=\" after parameter name: \"" + text + "\"")
                        .at(fileName, line.line()));
                continue;
            }
            String name = text.substring(0, eq).strip();
            String value = text.substring(eq + 1).strip();
            if (!NAME.matcher(name).matches()) {
                errors.add(ConfigError.message("bad parameter name: \"" + name + "\"").at(fileName, line.line()));
                continue;
            }
            if (values.containsKey(name)) {
                String w = fileName + ": line " + line.line() + ": overriding earlier entry: " + name + "="
                        + values.get(name);
                log.warn(w);
                warnings.add(w);
            }
            values.put(name, value);
            lines.put(name, line.line());
        }
        MasterConfig config = null;
        try {
            config = MasterConfig.of(values);
        } catch (ConfigException e) {
            for (ConfigError err : e.errors()) {
                Integer at = err.name() == null ? null : lines.get(err.name());
                errors.add(err.at(fileName, at == null ? 0 : at));
            }
        }
        if (!errors.isEmpty()) {
            errors.sort((a, b) -> Integer.compare(a.line(), b.line()));
            throw new ConfigException(errors);
        }
        List<ParameterSetting> settings = new ArrayList<>();
        values.forEach((name, value) -> settings.add(new ParameterSetting(fileName, lines.get(name), name, value)));
        settings.sort((a, b) -> Integer.compare(a.line(), b.line()));
        return new Result(config, warnings, settings);
    }
}
