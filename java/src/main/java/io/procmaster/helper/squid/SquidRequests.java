package io.procmaster.helper.squid;

import io.procmaster.helper.HelperKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The request Squid 5.7 writes to each kind of helper, built from raw values (docs/helpers.md,
 * "End of message, bodies and request escaping"). The result is the request text to submit to a
 * pool of that kind; the pool adds the channel ID and the final LF, as Squid's {@code helperDispatch}
 * does.
 *
 * <ul>
 * <li>{@link #basicAuth}: {@code user SP password}, each {@code rfc1738_escape}d
 *     ({@code src/auth/basic/UserRequest.cc}).</li>
 * <li>{@link #digestAuth}: {@code "user":"realm"}, unescaped ({@code src/auth/digest/UserRequest.cc}).</li>
 * <li>{@link #externalAcl}: each format value quoted by its quoting, {@code -} for an empty one,
 *     each followed by SP; then the acl's arguments (the implicit {@code %DATA}), each quoted by the
 *     helper's quoting and joined by SP, or {@code -} when there are none
 *     ({@code src/external_acl.cc} {@code makeExternalAclKey}, {@code src/format/Format.cc}).</li>
 * <li>{@link #urlRewrite}: {@code URL [SP extras]} ({@code src/redirect.cc}), for url_rewrite and
 *     store_id; {@link #defaultRewriteExtras} assembles Squid's default extras
 *     {@code %>a/%>A %un %>rm myip=%la myport=%lp}.</li>
 * <li>{@link #certificateMessage}: {@code code SP length SP body} ({@code src/ssl/crtd_message.cc}).</li>
 * </ul>
 *
 * <p>Failure modes: {@link IllegalArgumentException} naming the value for what Squid could not send
 * or a helper could not read: a NUL anywhere, a line feed where nothing escapes it, a {@code "} in a
 * digest field (digest_file_auth splits on it), whitespace in a URL, a basic-auth request longer than
 * Squid's 8192-byte buffer (Squid refuses it too).
 */
public final class SquidRequests {
    /** Squid's {@code HELPER_INPUT_BUFFER}: a basic-auth request (LF included) must be shorter. */
    public static final int HELPER_INPUT_BUFFER = 8192;

    private SquidRequests() {}

    /** One value of an external ACL format, with its own quoting ({@code %#}, {@code %/}, {@code %"}, {@code %'}) or null for the helper's. */
    public record FormatValue(String value, SquidQuoting quoting) {
        /** A value (null or empty: Squid writes {@code -}) quoted by the helper's quoting. */
        public static FormatValue of(String value) {
            return new FormatValue(value, null);
        }
    }

    /** {@code auth_param basic}: {@code rfc1738_escape(user) SP rfc1738_escape(password)} of their UTF-8 bytes. */
    public static String basicAuth(String user, String password) {
        return basicAuth(SquidEscaping.bytes(Objects.requireNonNull(user, "user"), "user"),
                SquidEscaping.bytes(Objects.requireNonNull(password, "password"), "password"));
    }

    /** {@code auth_param basic} for credentials as the browser sent their bytes (a Latin-1 name, say). */
    public static String basicAuth(byte[] user, byte[] password) {
        String line = SquidEscaping.url(Objects.requireNonNull(user, "user")) + " " + SquidEscaping.url(Objects.requireNonNull(password, "password"));
        if (line.length() + 1 >= HELPER_INPUT_BUFFER) {
            throw new IllegalArgumentException("basic-auth request of " + (line.length() + 1) + " bytes: user:password exceeds "
                    + HELPER_INPUT_BUFFER + " bytes once escaped, which Squid refuses (src/auth/basic/UserRequest.cc)");
        }
        return line;
    }

    /** {@code auth_param digest}: {@code "user":"realm"}, the values unescaped as Squid writes them. */
    public static String digestAuth(String user, String realm) {
        digestField(Objects.requireNonNull(user, "user"), "user");
        digestField(Objects.requireNonNull(realm, "realm"), "realm");
        return "\"" + user + "\":\"" + realm + "\"";
    }

    /** {@code external_acl_type} with format values only (no acl arguments: the request ends with {@code -}). */
    public static String externalAcl(SquidQuoting helperQuoting, String... formatValues) {
        return externalAcl(helperQuoting, Arrays.stream(formatValues).map(FormatValue::of).toList(), List.of());
    }

    /**
     * {@code external_acl_type}: {@code helperQuoting} is the helper's {@code quote=} ({@link SquidQuoting#URL}
     * or {@link SquidQuoting#SHELL}); {@code formatValues} the values of the format's codes in order;
     * {@code aclArguments} the arguments of the {@code acl} line that uses the helper (Squid's implicit
     * {@code %DATA}, last).
     */
    public static String externalAcl(SquidQuoting helperQuoting, List<FormatValue> formatValues, List<String> aclArguments) {
        Objects.requireNonNull(helperQuoting, "helperQuoting");
        if (helperQuoting != SquidQuoting.URL && helperQuoting != SquidQuoting.SHELL) {
            throw new IllegalArgumentException("an external ACL helper quotes with quote=url or quote=shell, not " + helperQuoting);
        }
        StringBuilder line = new StringBuilder();
        for (FormatValue v : formatValues) {
            String value = v.value();
            SquidQuoting q = v.quoting() != null ? v.quoting() : helperQuoting;
            line.append(value == null || value.isEmpty() ? "-" : q.apply(value)).append(' ');
        }
        List<String> data = new ArrayList<>(aclArguments.size());
        for (String a : aclArguments) data.add(helperQuoting == SquidQuoting.URL ? SquidEscaping.url(a) : SquidEscaping.shell(a));
        line.append(data.isEmpty() ? "-" : String.join(" ", data));
        return line.toString();
    }

    /** {@code url_rewrite_program} / {@code store_id_program}: {@code URL}, then SP and {@code extras} if there are any. */
    public static String urlRewrite(String url, String extras) {
        Objects.requireNonNull(url, "url");
        SquidEscaping.noNul(url, "url");
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                throw new IllegalArgumentException("url contains whitespace at index " + i + ": Squid sends a URL without any"
                        + " (uri_whitespace), and a rewrite helper splits its request on it: '" + url + "'");
            }
        }
        if (extras == null || extras.isEmpty()) return url;
        SquidEscaping.noNul(extras, "extras");
        if (extras.indexOf('\n') >= 0) throw new IllegalArgumentException("extras must not contain a line feed: it would split the request");
        return url + " " + extras;
    }

    /**
     * Squid's default {@code url_rewrite_extras} / {@code store_id_extras},
     * {@code %>a/%>A %un %>rm myip=%la myport=%lp}: a null or empty value is {@code -}; {@code %>A}
     * is the client's name, or its address when it has none; the user name goes as it is (Squid does
     * not quote {@code %un}); the method is {@code rfc1738_escape_unescaped}d; a null port is {@code -}.
     */
    public static String defaultRewriteExtras(String clientIp, String clientFqdn, String user, String method,
            String localIp, Integer localPort) {
        String ip = dash(clientIp);
        String fqdn = clientFqdn != null && !clientFqdn.isEmpty() ? clientFqdn : ip;
        if (user != null && user.indexOf('\n') >= 0) throw new IllegalArgumentException("user must not contain a line feed: it would split the request");
        String m = method == null || method.isEmpty() ? "-" : SquidEscaping.urlKeepingPercent(method);
        String extras = ip + "/" + fqdn + " " + dash(user) + " " + m + " myip=" + dash(localIp) + " myport="
                + (localPort == null ? "-" : Integer.toString(localPort));
        SquidEscaping.noNul(extras, "extras");
        return extras;
    }

    /** {@code sslcrtvalidator_program} / {@code sslcrtd_program}: {@code code SP length SP body}, the length in UTF-8 bytes. */
    public static String certificateMessage(String code, String body) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(body, "body");
        if (code.isEmpty() || !code.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '_')) || !Character.isLetter(code.charAt(0))) {
            throw new IllegalArgumentException("certificate helper code must be a letter then letters, digits or '_', got '" + code + "'");
        }
        SquidEscaping.noNul(body, "body");
        if (body.indexOf('\u0001') >= 0) throw new IllegalArgumentException("body must not contain 0x01, the certificate helpers' end of message");
        return code + " " + body.getBytes(StandardCharsets.UTF_8).length + " " + body;
    }

    /**
     * The request for a pool of {@code kind} from raw values, by the kind's convention above:
     * basic and digest take two values (user and password, user and realm), an external ACL its
     * format values (quote=url, no acl arguments), url_rewrite and store_id the URL and optional
     * extras, the certificate kinds the code and the body.
     */
    public static String request(HelperKind kind, String... values) {
        Objects.requireNonNull(kind, "kind");
        return switch (kind) {
            case BASIC_AUTH -> basicAuth(value(kind, values, 0, 2), value(kind, values, 1, 2));
            case DIGEST_AUTH -> digestAuth(value(kind, values, 0, 2), value(kind, values, 1, 2));
            case EXTERNAL_ACL -> externalAcl(SquidQuoting.URL, values);
            case URL_REWRITE, STORE_ID -> {
                if (values.length < 1 || values.length > 2) throw new IllegalArgumentException(kind + " takes the URL and optional extras, got " + values.length + " values");
                yield urlRewrite(values[0], values.length > 1 ? values[1] : null);
            }
            case SSL_CERT_VALIDATOR, SSL_CERT_GENERATOR -> certificateMessage(value(kind, values, 0, 2), value(kind, values, 1, 2));
            case GENERIC, NTLM_AUTH, NEGOTIATE_AUTH -> throw new IllegalArgumentException(
                    "no request convention for " + kind + ": submit the request text itself");
        };
    }

    private static String value(HelperKind kind, String[] values, int i, int expected) {
        if (values.length != expected) throw new IllegalArgumentException(kind + " takes " + expected + " values, got " + values.length);
        return Objects.requireNonNull(values[i], kind + " value #" + i);
    }

    private static void digestField(String value, String what) {
        SquidEscaping.noNul(value, what);
        int bad = Math.max(value.indexOf('"'), value.indexOf('\n'));
        if (bad >= 0) {
            throw new IllegalArgumentException("digest " + what + " contains " + (value.charAt(bad) == '"' ? "'\"'" : "a line feed")
                    + " at index " + bad + ": Squid writes it unescaped between double quotes, and digest_file_auth"
                    + " would read another " + what + " (or two requests)");
        }
    }

    private static String dash(String v) {
        return v == null || v.isEmpty() ? "-" : v;
    }
}
