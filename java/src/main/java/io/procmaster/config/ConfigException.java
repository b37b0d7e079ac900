package io.procmaster.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every error found in it.
 *
 * <p>Parsers do not stop at the first error: they collect all of a file's errors so that
 * one run of {@code procmaster check} shows everything to fix. The exception message is the
 * first error followed by the number of further errors; {@link #errors()} has them all and
 * {@link #report()} renders them one per line.
 *
 * <p>It is checked on purpose: a reload must decide, for every parse, whether to keep the
 * old configuration (docs/postfix-master.md §10 W10, docs/DESIGN.md decision 7).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigError> errors;

    /** An exception for {@code errors}, which must not be empty. */
    public ConfigException(List<ConfigError> errors) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
    }

    /** An exception for a single error. */
    public ConfigException(ConfigError error) {
        this(List.of(error));
    }

    /** An exception for a single error with a cause (for example an I/O error). */
    public ConfigException(ConfigError error, Throwable cause) {
        super(summary(List.of(error)), cause);
        this.errors = List.of(error);
    }

    /** Every error, in file order. Never empty. */
    public List<ConfigError> errors() {
        return errors;
    }

    /** All errors, one rendered message per line. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        for (ConfigError e : errors) {
            sb.append(e.message()).append('\n');
        }
        return sb.toString();
    }

    private static String summary(List<ConfigError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        String first = errors.get(0).message();
        int more = errors.size() - 1;
        return more == 0 ? first : first + " (and " + more + " more error" + (more == 1 ? "" : "s") + ")";
    }
}
