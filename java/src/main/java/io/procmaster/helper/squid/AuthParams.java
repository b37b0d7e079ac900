package io.procmaster.helper.squid;

import io.procmaster.helper.HelperKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code auth_param scheme parameter [setting]} as Squid 5.7 reads it (src/cache_cf.cc
 * parse_authparam, src/auth/SchemeConfig.cc and src/auth/{basic,digest}/Config.cc): the schemes
 * {@code basic digest ntlm negotiate}; {@code program} (replaces the previous one; the path must
 * exist), {@code children} (see {@link Children}, default 20), and the settings that are the
 * caller's ({@code realm key_extras keep_alive utf8}, basic {@code credentialsttl casesensitive},
 * digest {@code nonce_*  check_nonce_count post_workaround}) recorded with Squid's defaults. An
 * unknown parameter is Squid's {@code Unrecognised ... auth scheme parameter} warning.
 *
 * <p>Interface: {@link #parse} per line, {@link #drafts} at the end (schemes in the order they
 * first appear, as Squid offers them). Failure modes: an unknown scheme, a missing parameter or
 * a bad value throws {@link SquidConfException} with Squid's text.
 */
final class AuthParams {
    private final Map<String, HelperDraft> schemes = new LinkedHashMap<>();

    /** Reads the rest of an {@code auth_param} line. */
    void parse(LineTokens t, Diagnostics d) throws SquidConfException {
        String scheme = t.next();
        if (scheme == null) throw d.error(null, "missing the scheme (basic, digest, ntlm or negotiate)");
        String param = t.next();
        if (param == null) throw d.error(scheme, "missing the parameter after the scheme");
        HelperDraft draft = schemes.get(scheme);
        if (draft == null) {
            draft = create(scheme, d);
            schemes.put(scheme, draft);
        }
        d.directive("auth_param " + scheme + " " + param);
        Map<String, String> s = draft.settings;
        switch (param) {
            case "program":
                draft.program.clear();
                for (String w; (w = t.nextQuoted()) != null; ) draft.program.add(w);
                if (draft.program.isEmpty()) throw d.error(null, "missing the program's path");
                String path = draft.program.get(0);
                if (path.indexOf('/') >= 0 && !Files.exists(Path.of(path)))
                    throw d.error(path, "Authentication helper program " + path + ": (2) No such file or directory");
                draft.programLine = d.line();
                return;
            case "children":
                draft.children.parse(t, d);
                draft.childrenLine = d.line();
                return;
            case "realm": {
                String realm = t.restOfLine();
                if (realm == null || realm.isBlank()) throw d.error(null, "Missing auth_param " + scheme + " realm");
                s.put("realm", realm.strip());
                return;
            }
            case "key_extras": {
                String extras = t.nextQuoted();
                if (extras == null) throw d.error(null, "Failed parsing key_extras formatting value");
                s.put("key_extras", extras);
                break;
            }
            case "keep_alive":
            case "utf8":
                s.put(param, onOff(t, d));
                break;
            default:
                if (!schemeParameter(draft.kind, param, s, t, d)) {
                    d.squid(param, "Unrecognised " + scheme + " auth scheme parameter '" + param + "'");
                    t.drain();
                    return;
                }
        }
        ignoreRest(t, d);
    }

    private static HelperDraft create(String scheme, Diagnostics d) throws SquidConfException {
        HelperKind kind;
        switch (scheme) {
            case "basic": kind = HelperKind.BASIC_AUTH; break;
            case "digest": kind = HelperKind.DIGEST_AUTH; break;
            case "ntlm": kind = HelperKind.NTLM_AUTH; break;
            case "negotiate": kind = HelperKind.NEGOTIATE_AUTH; break;
            default: throw d.error(scheme, "Parsing Config File: Unknown authentication scheme '" + scheme + "'.");
        }
        HelperDraft draft = new HelperDraft(scheme, "auth_param " + scheme + " program", kind, Children.of(20, 0, 1, 0));
        Map<String, String> s = draft.settings;
        if (kind == HelperKind.BASIC_AUTH) {
            s.put("realm", "Squid proxy-caching web server");
            s.put("credentialsttl", "7200");
            s.put("casesensitive", "off");
        } else if (kind == HelperKind.DIGEST_AUTH) {
            s.put("nonce_garbage_interval", "300");
            s.put("nonce_max_duration", "1800");
            s.put("nonce_max_count", "50");
            s.put("nonce_strictness", "off");
            s.put("check_nonce_count", "on");
            s.put("post_workaround", "off");
        }
        s.put("keep_alive", "on");
        s.put("utf8", "off");
        return draft;
    }

    /** The parameters one scheme adds (basic's and digest's); false if {@code param} is none of them. */
    private static boolean schemeParameter(HelperKind kind, String param, Map<String, String> s, LineTokens t, Diagnostics d)
            throws SquidConfException {
        if (kind == HelperKind.BASIC_AUTH && param.equals("credentialsttl")
                || kind == HelperKind.DIGEST_AUTH && (param.equals("nonce_garbage_interval") || param.equals("nonce_max_duration"))) {
            s.put(param, Long.toString(SquidValues.time(t, d).getSeconds()));
            return true;
        }
        if (kind == HelperKind.BASIC_AUTH && param.equals("casesensitive")
                || kind == HelperKind.DIGEST_AUTH && (param.equals("nonce_strictness") || param.equals("check_nonce_count")
                        || param.equals("post_workaround"))) {
            s.put(param, onOff(t, d));
            return true;
        }
        if (kind == HelperKind.DIGEST_AUTH && param.equals("nonce_max_count")) {
            String v = t.next();
            if (v == null) throw d.error(null, "missing the number");
            s.put(param, Integer.toString(SquidValues.integer(v, d)));
            return true;
        }
        return false;
    }

    private static String onOff(LineTokens t, Diagnostics d) throws SquidConfException {
        return SquidValues.onOff(t, d) ? "on" : "off";
    }

    /** Words after a parameter's value: Squid reads no further and ignores them; procmaster says so. */
    static void ignoreRest(LineTokens t, Diagnostics d) {
        if (!t.atEnd()) d.note(t.drain(), "ignored: Squid reads nothing after the value");
    }

    /** The schemes with a program, in the order they first appear. */
    Iterable<HelperDraft> drafts() {
        return schemes.values();
    }
}
