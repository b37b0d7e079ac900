package io.procmaster.config;

import io.procmaster.log.Logs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * Parses master.cf into a {@link ServiceTable} (docs/postfix-master.md §1.1–§1.3).
 *
 * <p>Syntax: logical lines as {@code LogicalLines} describes; per entry, fields separated by
 * whitespace: {@code service type private unpriv chroot wakeup maxproc command [args...]}.
 * A field of exactly {@code -} takes the default. Booleans are exactly {@code y} or
 * {@code n}. wakeup is a decimal number of seconds, optionally followed by {@code ?}
 * (conditional; {@code 0?} is no wakeup). maxproc is a decimal number, 0 meaning unlimited,
 * {@code -} meaning {@code default_process_limit}; the parser checks that it is a decimal number
 * and the builder alone checks its range. An argument that starts with <code>&#123;</code>
 * extends to the matching <code>&#125;</code>; the outer braces and the whitespace just inside them
 * are removed, so an argument can contain spaces or be empty. Entries matched by
 * {@code master_service_disable} are skipped before any other check. Each entry is then
 * built with {@link ServiceSpecBuilder}, so parser and builder validate identically.
 *
 * <p>Deliberate differences from Postfix: trailing text in wakeup or maxproc ({@code 60abc})
 * is an error, not ignored; an unknown port name is an error, not a name kept as written;
 * a wakeup on unix-dgram is an error instead of a failure every period; a UNIX socket path
 * too long for {@code sun_path} is found here, not at bind time. All so that a reload can
 * reject a bad file before it touches the running services.
 *
 * <p>Failure modes: {@link ConfigException} with every error of the file, each as
 * {@code <file>: line <n>: field "<field>": bad value: "<value>": <reason>} or
 * {@code <file>: line <n>: missing "<field>" field}; the line is the first physical line of
 * the logical line. Duplicates are warnings, not errors (see {@link ServiceTable}); so are
 * parameters that nothing reads, of main.cf (when given) and of {@code -o} arguments
 * ({@code UnusedParameters}), once the file has no error. An
 * unreadable file is one error naming the file.
 * A line that is not UTF-8 (comments excepted) is an error naming its line and the bad byte's
 * column (see {@link ConfigFiles#decode}).
 */
public final class MasterCfParser {

    private static final Logger log = Logs.logger(MasterCfParser.class);

    private static final String[] FIXED = {
        ServiceSpec.F_SERVICE, ServiceSpec.F_TYPE, ServiceSpec.F_PRIVATE, ServiceSpec.F_UNPRIV,
        ServiceSpec.F_CHROOT, ServiceSpec.F_WAKEUP, ServiceSpec.F_MAXPROC, ServiceSpec.F_COMMAND,
    };
    private static final Pattern WAKEUP = Pattern.compile("(\\d{1,9})(\\?)?");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d+");

    private final MasterConfig config;
    private final ServiceDisableList disabled;
    private final List<ParameterSetting> mainCfSettings;

    /**
     * A parser that takes defaults, directories and the disable list from {@code config}, and
     * checks no main.cf settings for being unused (the table was not read from a main.cf).
     */
    public MasterCfParser(MasterConfig config) {
        this(config, List.of());
    }

    /**
     * A parser as {@link #MasterCfParser(MasterConfig)} that also warns about the settings of
     * main.cf ({@code mainCfSettings}, {@link MainCfParser.Result#settings()}) and of master.cf's
     * {@code -o} arguments that nothing reads ({@code UnusedParameters}).
     */
    public MasterCfParser(MasterConfig config, List<ParameterSetting> mainCfSettings) {
        this.config = config;
        this.disabled = ServiceDisableList.parse(config.masterServiceDisable());
        this.mainCfSettings = List.copyOf(mainCfSettings);
    }

    /** The configuration this parser takes its defaults from. */
    public MasterConfig config() {
        return config;
    }

    /**
     * A table of services built with the Java API rather than parsed from a master.cf, with the
     * warnings a parsed table carries: duplicates (the later one wins), and the main.cf settings
     * this parser was given that nothing reads (docs/configuration.md, "Unknown parameters").
     *
     * @param services the services, built against {@link #config()}
     * @return the table
     */
    public ServiceTable table(List<ServiceSpec> services) {
        List<String> names = new ArrayList<>();
        services.forEach(s -> names.add(s.name()));
        return ServiceTable.of(services).withWarnings(UnusedParameters.warnings(mainCfSettings, List.of(), names));
    }

    /**
     * Reads and parses {@code file}; messages name the file as given.
     *
     * @throws ConfigException with every error, or one error if the file cannot be read
     */
    public ServiceTable parse(Path file) throws ConfigException {
        return parse(file.toString(), ConfigFiles.read(file));
    }

    /**
     * Parses the bytes of a file named {@code fileName}: each line is decoded as UTF-8 on its
     * own, so that a bad byte is reported at its line (see {@link ConfigFiles#decode}).
     *
     * @throws ConfigException with every bad line, or with every error of the decoded content
     */
    public ServiceTable parse(String fileName, byte[] content) throws ConfigException {
        return parse(fileName, ConfigFiles.decode(fileName, content));
    }

    /**
     * Parses {@code content}; messages name {@code fileName}.
     *
     * @throws ConfigException with every error of the content
     */
    public ServiceTable parse(String fileName, String content) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<ServiceKey, ServiceSpec> services = new LinkedHashMap<>();
        Map<ServiceKey, Integer> lines = new LinkedHashMap<>();
        List<ParameterSetting> overrides = new ArrayList<>();
        List<String> serviceNames = new ArrayList<>();
        for (LogicalLine line : LogicalLines.split(content)) {
            List<ConfigError> lineErrors = new ArrayList<>();
            ServiceSpec spec = parseEntry(line.text(), lineErrors, fileName, line.line(), overrides);
            if (spec != null) {
                serviceNames.add(spec.name());
            }
            for (ConfigError e : lineErrors) {
                errors.add(e.at(fileName, line.line()));
            }
            if (spec != null && services.put(spec.key(), spec) != null) {
                warnings.add(fileName + ": line " + line.line() + ": " + ServiceTable.duplicateWarning(spec));
            }
            if (spec != null) {
                lines.put(spec.key(), line.line());
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        // Returned, not logged: check prints them, run and reload log them (MasterLoop), once each.
        warnings.addAll(UnusedParameters.warnings(mainCfSettings, overrides, serviceNames));
        return new ServiceTable(services, warnings, lines, fileName);
    }

    /**
     * Parses one entry; returns null when it is disabled or has errors (added to {@code errors}).
     * The {@code -o name=value} arguments of an entry that is not disabled are added to
     * {@code overrides}, at {@code fileName} and {@code lineNumber}.
     */
    private ServiceSpec parseEntry(String text, List<ConfigError> errors, String fileName, int lineNumber,
                                   List<ParameterSetting> overrides) {
        List<String> tokens = tokenize(text, errors);
        if (!errors.isEmpty()) {
            return null;
        }
        if (tokens.size() >= 2 && disabled.disables(tokens.get(0), tokens.get(1))) {
            log.debug("master_service_disable: skipping {}/{}", tokens.get(0), tokens.get(1));
            return null;
        }
        for (int i = FIXED.length; i + 1 < tokens.size(); i++) {
            int eq = tokens.get(i + 1).indexOf('=');
            if (tokens.get(i).equals("-o") && eq > 0) {
                String nv = tokens.get(++i);
                overrides.add(new ParameterSetting(fileName, lineNumber, nv.substring(0, eq).strip(),
                        nv.substring(eq + 1).strip()));
            }
        }
        for (int i = 1; i < FIXED.length - 1; i++) {
            if (tokens.size() <= i) {
                errors.add(ConfigError.message("missing \"" + FIXED[i] + "\" field"));
                return null;
            }
        }
        Set<String> bad = new HashSet<>();
        String typeText = tokens.get(1);
        ServiceType type = null;
        if (typeText.equals("-")) {
            errors.add(ConfigError.field(ServiceSpec.F_TYPE, typeText, "field has no default value"));
        } else {
            type = ServiceType.fromToken(typeText).orElse(null);
            if (type == null) {
                errors.add(ConfigError.field(ServiceSpec.F_TYPE, typeText,
                        "bad transport type: " + typeText + " (expected inet, unix, unix-dgram, fifo or pass)"));
            }
        }
        Boolean priv = bool(tokens.get(2), true, ServiceSpec.F_PRIVATE, errors, bad);
        Boolean unpriv = bool(tokens.get(3), true, ServiceSpec.F_UNPRIV, errors, bad);
        Boolean chroot = bool(tokens.get(4), false, ServiceSpec.F_CHROOT, errors, bad);
        int wakeup = 0;
        boolean conditional = false;
        String wakeupText = tokens.get(5);
        if (!wakeupText.equals("-")) {
            Matcher m = WAKEUP.matcher(wakeupText);
            if (m.matches()) {
                wakeup = Integer.parseInt(m.group(1));
                conditional = m.group(2) != null;
            } else {
                bad.add(ServiceSpec.F_WAKEUP);
                errors.add(ConfigError.field(ServiceSpec.F_WAKEUP, wakeupText,
                        "expected a number of seconds, optionally followed by \"?\""));
            }
        }
        // Only the syntax of maxproc is checked here; its range is the builder's (ServiceSpecBuilder),
        // the one place that validates it.
        Integer maxProc = null;
        String maxText = tokens.get(6);
        if (!maxText.equals("-")) {
            if (DECIMAL.matcher(maxText).matches()) {
                maxProc = saturatedInt(maxText);
            } else {
                bad.add(ServiceSpec.F_MAXPROC);
                errors.add(ConfigError.field(ServiceSpec.F_MAXPROC, maxText,
                        "expected a decimal number (0 means unlimited)"));
            }
        }
        // A missing command is reported by the builder, after its checks of the other fields.
        String command = tokens.size() < 8 ? null : tokens.get(7);
        if ("-".equals(command)) {
            errors.add(ConfigError.field(ServiceSpec.F_COMMAND, command, "field has no default value"));
            return null;
        }
        if (type == null) {
            return null;
        }
        ServiceSpecBuilder b = ServiceSpec.builder(tokens.get(0), type)
                .privateService(priv == null || priv)
                .unprivileged(unpriv == null || unpriv)
                .chroot(chroot != null && chroot)
                .wakeup(wakeup, conditional)
                .command(command)
                .args(tokens.size() < 8 ? List.of() : tokens.subList(8, tokens.size()));
        if (maxProc != null) {
            b.maxProc(maxProc);
        }
        try {
            ServiceSpec spec = b.build(config);
            return errors.isEmpty() ? spec : null;
        } catch (ConfigException e) {
            for (ConfigError err : e.errors()) {
                if (err.name() != null && bad.contains(err.name())) {
                    continue;
                }
                int idx = fixedIndex(err.name());
                if (idx >= 0 && err.value() != null) {
                    // Report the value as written, e.g. "-" for an inet service's private field.
                    err = new ConfigError(null, 0, err.kind(), err.name(), tokens.get(idx), err.reason());
                }
                errors.add(err);
            }
            return null;
        }
    }

    private static Boolean bool(String text, boolean dflt, String field, List<ConfigError> errors, Set<String> bad) {
        switch (text) {
            case "-":
                return dflt;
            case "y":
                return true;
            case "n":
                return false;
            default:
                bad.add(field);
                errors.add(ConfigError.field(field, text, "expected \"y\" or \"n\""));
                return null;
        }
    }

    /** A decimal number as an int, beyond the int range clamped to its ends (the builder rejects them). */
    private static int saturatedInt(String decimal) {
        try {
            return Integer.parseInt(decimal);
        } catch (NumberFormatException e) {
            return decimal.startsWith("-") ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
    }

    private static int fixedIndex(String field) {
        for (int i = 0; i < FIXED.length; i++) {
            if (FIXED[i].equals(field)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Splits a logical line on whitespace; a token that starts with '{' runs to the matching
     * '}' and loses its outer braces and the whitespace just inside them.
     */
    static List<String> tokenize(String text, List<ConfigError> errors) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            if (text.charAt(i) == '{') {
                int depth = 0;
                int j = i;
                for (; j < n; j++) {
                    char c = text.charAt(j);
                    if (c == '{') {
                        depth++;
                    } else if (c == '}' && --depth == 0) {
                        break;
                    }
                }
                if (j >= n) {
                    errors.add(ConfigError.field(ServiceSpec.F_ARGS, text.substring(i), "missing \"}\""));
                    return tokens;
                }
                if (j + 1 < n && !Character.isWhitespace(text.charAt(j + 1))) {
                    int end = j + 1;
                    while (end < n && !Character.isWhitespace(text.charAt(end))) {
                        end++;
                    }
                    errors.add(ConfigError.field(ServiceSpec.F_ARGS, text.substring(i, end),
                            "text after \"}\""));
                    return tokens;
                }
                tokens.add(text.substring(i + 1, j).strip());
                i = j + 1;
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
                tokens.add(text.substring(start, i));
            }
        }
        return tokens;
    }
}
