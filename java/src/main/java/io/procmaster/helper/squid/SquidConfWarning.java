package io.procmaster.helper.squid;

import java.util.Objects;

/**
 * Something in squid.conf that the parser accepted after a correction, or read but could not
 * apply: Squid's own corrections ({@code WARNING OVERRIDE: Capping startup=9 to the defined
 * maximum (5)}), deprecations, options recorded for the caller or not applicable to a pool.
 *
 * <p>{@link #squidLogs()} says whether {@code squid -k parse} prints this very message for this
 * line (then {@link #message()} is Squid's text without its timestamp and location prefix); a
 * warning of procmaster's own (a correction Squid makes silently, an option that does not apply)
 * has {@code squidLogs} false. {@code SquidConfigurationTest} compares the first kind with Squid's
 * output line by line.
 *
 * <p>Failure modes: a warning is never an error (the configuration was built); the constructor
 * throws {@link NullPointerException} for a null file, directive, value or message.
 *
 * @param file      the file of the line
 * @param line      the first physical line of the logical line
 * @param directive the directive as written ({@code auth_param basic children}, {@code external_acl_type})
 * @param value     the offending or ignored value as written (an option, a word), never null
 * @param message   what was done and why
 * @param squidLogs whether Squid prints {@code message} itself for this line
 */
public record SquidConfWarning(String file, int line, String directive, String value, String message, boolean squidLogs) {
    /** Checks that every text is set. */
    public SquidConfWarning {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(directive, "directive");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return file + ":" + line + ": " + directive + ": \"" + value + "\": " + message;
    }
}
