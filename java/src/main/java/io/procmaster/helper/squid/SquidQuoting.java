package io.procmaster.helper.squid;

/**
 * How Squid quotes a value it writes into an external ACL request (docs/helpers.md, "End of
 * message, bodies and request escaping"): the helper's default, set by {@code external_acl_type}'s
 * {@code quote=url} (the default; {@code protocol=3.0}) or {@code quote=shell} ({@code protocol=2.5}),
 * or a format code's own, Squid 5's prefix after the {@code %}: {@code %#} url, {@code %/} shell,
 * {@code %"} quotes, {@code %'} raw ({@code src/format/Token.cc}).
 *
 * <p>Interface: {@link #apply} quotes one non-empty value ({@link SquidEscaping}). Failure modes:
 * a value containing NUL throws {@link IllegalArgumentException}; {@link #RAW} refuses a line feed,
 * which would split the request.
 */
public enum SquidQuoting {
    /** {@code rfc1738_escape}: {@code %XX} for the unsafe, the controls, SP, {@code %} and non-ASCII bytes. */
    URL,
    /** {@code strwordquote}: backslash escapes, double quotes around a value with a space. */
    SHELL,
    /** {@code log_quoted_string}: backslash escapes, no surrounding quotes ({@code %"code}). */
    QUOTES,
    /** The value as it is ({@code %'code}). */
    RAW;

    /** {@code value} quoted this way. */
    public String apply(String value) {
        return switch (this) {
            case URL -> SquidEscaping.url(value);
            case SHELL -> SquidEscaping.shell(value);
            case QUOTES -> SquidEscaping.quotes(value);
            case RAW -> {
                SquidEscaping.noNul(value, "value");
                if (value.indexOf('\n') >= 0)
                    throw new IllegalArgumentException("a raw (%') value must not contain a line feed: it would split the request");
                yield value;
            }
        };
    }
}
