package io.procmaster.helper.squid;

import io.procmaster.helper.HelperKind;
import io.procmaster.helper.TimeoutAction;
import java.util.ArrayList;
import java.util.List;

/**
 * The helper directives of squid.conf, one logical line at a time, as Squid 5.7 reads each
 * (src/cf.data.pre for names, aliases and defaults; src/cache_cf.cc; src/redirect.cc;
 * src/ssl/helper.cc): {@code auth_param} ({@link AuthParams}), {@code external_acl_type}
 * ({@link ExternalAclTypes}), {@code url_rewrite_*} and their {@code redirect_*} aliases,
 * {@code store_id_*} and their {@code storeurl_rewrite_*} aliases, {@code sslcrtvalidator_*},
 * {@code sslcrtd_*}, and {@code configuration_includes_quoted_values}, which changes how the
 * following lines are tokenised. Any other line is not a helper's and is kept aside unread.
 *
 * <p>Interface: {@link #line} per logical line (false: not a helper directive), then
 * {@link #helpers} once. Failure modes: {@link SquidConfException} where Squid refuses a line, or
 * a pool could not run the result.
 */
final class HelperDirectives {
    private final Diagnostics d;
    private final AuthParams auth = new AuthParams();
    private final ExternalAclTypes externalAcls = new ExternalAclTypes();
    private final HelperDraft urlRewrite = new HelperDraft("url_rewrite", "url_rewrite_program", HelperKind.URL_REWRITE, Children.of(20, 0, 1, 0));
    private final HelperDraft storeId = new HelperDraft("store_id", "store_id_program", HelperKind.STORE_ID, Children.of(20, 0, 1, 0));
    private final HelperDraft certValidator = new HelperDraft("sslcrtvalidator", "sslcrtvalidator_program", HelperKind.SSL_CERT_VALIDATOR, Children.of(32, 5, 1, 1));
    private final HelperDraft certGenerator = new HelperDraft("sslcrtd", "sslcrtd_program", HelperKind.SSL_CERT_GENERATOR, Children.of(32, 5, 1, 0));
    private boolean quotedValues;

    HelperDirectives(Diagnostics diagnostics) {
        this.d = diagnostics;
        String extras = "%>a/%>A %un %>rm myip=%la myport=%lp";
        urlRewrite.settings.put("url_rewrite_extras", extras);
        urlRewrite.settings.put("url_rewrite_host_header", "on");
        storeId.settings.put("store_id_extras", extras);
        storeId.bypass = true; // store_id_bypass defaults to on
        certValidator.settings.put("ttl", "60");
        certValidator.settings.put("cache", "2048");
    }

    /** Parses {@code line} if it is a helper directive; false if it is another directive. */
    boolean line(SourceLine line) throws SquidConfException {
        String text = line.text();
        int end = 0;
        while (end < text.length() && " \t\n\r".indexOf(text.charAt(end)) < 0) end++;
        String name = text.substring(0, end);
        d.at(line, name);
        LineTokens t = new LineTokens(text, end, quotedValues, d);
        switch (name) {
            case "auth_param": auth.parse(t, d); return true;
            case "external_acl_type": externalAcls.parse(t, d); return true;
            case "url_rewrite_program": case "redirect_program": program(urlRewrite, t); return true;
            case "url_rewrite_children": case "redirect_children": children(urlRewrite, t); return true;
            case "url_rewrite_bypass": case "redirector_bypass": urlRewrite.bypass = SquidValues.onOff(t, d); break;
            case "url_rewrite_timeout": timeout(t); return true;
            case "url_rewrite_extras": setting(urlRewrite, "url_rewrite_extras", t.nextQuoted()); break;
            case "url_rewrite_host_header": case "redirect_rewrites_host_header":
                setting(urlRewrite, "url_rewrite_host_header", SquidValues.onOff(t, d) ? "on" : "off");
                break;
            case "url_rewrite_access": case "redirector_access": access(urlRewrite, "url_rewrite_access", t); return true;
            case "url_rewrite_concurrency": obsoleteConcurrency(t); break;
            case "store_id_program": case "storeurl_rewrite_program": program(storeId, t); return true;
            case "store_id_children": case "storeurl_rewrite_children": children(storeId, t); return true;
            case "store_id_bypass": case "storeurl_rewrite_bypass": storeId.bypass = SquidValues.onOff(t, d); break;
            case "store_id_extras": setting(storeId, "store_id_extras", t.nextQuoted()); break;
            case "store_id_access": case "storeurl_rewrite_access": access(storeId, "store_id_access", t); return true;
            case "sslcrtvalidator_program": commandLine(certValidator, t, true); return true;
            case "sslcrtvalidator_children": children(certValidator, t); return true;
            case "sslcrtd_program": commandLine(certGenerator, t, false); return true;
            case "sslcrtd_children": children(certGenerator, t); return true;
            case "configuration_includes_quoted_values": quotedValues = SquidValues.onOff(t, d); break;
            default: return false;
        }
        AuthParams.ignoreRest(t, d);
        return true;
    }

    /** A wordlist directive: the words are appended to any earlier line's, as Squid's parse_wordlist appends. */
    private void program(HelperDraft h, LineTokens t) throws SquidConfException {
        List<String> words = new ArrayList<>();
        for (String w; (w = t.nextQuoted()) != null; ) words.add(w);
        if (words.isEmpty()) return;
        if (!h.program.isEmpty()) {
            d.note(String.join(" ", words), "appended to the program line of " + h.programLine.place()
                    + " as arguments, as Squid appends a repeated " + d.line().text().split("[ \t]")[0] + "; the program stays " + h.program.get(0));
        } else {
            h.programLine = d.line();
        }
        h.program.addAll(words);
    }

    private void children(HelperDraft h, LineTokens t) throws SquidConfException {
        h.children.parse(t, d);
        h.childrenLine = d.line();
    }

    private void setting(HelperDraft h, String key, String value) throws SquidConfException {
        if (value == null) throw d.error(null, "missing the value");
        h.settings.put(key, value);
    }

    /** An access list: which requests go to the helper is the caller's decision; the rules are kept in {@code settings}. */
    private void access(HelperDraft h, String key, LineTokens t) throws SquidConfException {
        String rule = t.restOfLine();
        if (rule == null) throw d.error(null, "missing allow or deny");
        h.settings.merge(key, rule.strip(), (a, b) -> a + "\n" + b);
    }

    /** {@code url_rewrite_timeout time [unit] on_timeout=... response=...} (src/cache_cf.cc parse_UrlHelperTimeout). */
    private void timeout(LineTokens t) throws SquidConfException {
        urlRewrite.timeoutLine = d.line();
        urlRewrite.timeout = SquidValues.urlRewriteTimeout(t, d);
        for (String key; (key = t.nextKey()) != null; ) {
            String value = t.nextQuoted();
            if (value == null) {
                d.squid(key, "Error while parsing key=value token. Value missing after: " + key);
                break;
            }
            if (key.equalsIgnoreCase("on_timeout")) {
                switch (value.toLowerCase(java.util.Locale.ROOT)) {
                    case "bypass": urlRewrite.onTimeout = TimeoutAction.BYPASS; break;
                    case "fail": urlRewrite.onTimeout = TimeoutAction.FAIL; break;
                    case "retry": urlRewrite.onTimeout = TimeoutAction.RETRY; break;
                    case "use_configured_response": urlRewrite.onTimeout = TimeoutAction.USE_CONFIGURED_RESPONSE; break;
                    default: throw d.error(value, "unsupported \"on_timeout\" action: " + value);
                }
            } else if (key.equalsIgnoreCase("response")) {
                urlRewrite.timeoutResponse = value;
            } else {
                throw d.error(key, "unsupported option " + key);
            }
        }
        if (urlRewrite.onTimeout == TimeoutAction.USE_CONFIGURED_RESPONSE && urlRewrite.timeoutResponse == null)
            throw d.error(null, "Expected 'response=' option after 'on_timeout=use_configured_response' option");
        if (urlRewrite.onTimeout != TimeoutAction.USE_CONFIGURED_RESPONSE && urlRewrite.timeoutResponse != null)
            throw d.error(urlRewrite.timeoutResponse, "'response=' option is valid only when used with the 'on_timeout=use_configured_response' option");
    }

    /** The obsolete {@code url_rewrite_concurrency N}, which Squid still applies to url_rewrite_children. */
    private void obsoleteConcurrency(LineTokens t) throws SquidConfException {
        d.squid("url_rewrite_concurrency", "ERROR: Directive 'url_rewrite_concurrency' is obsolete.");
        d.squid("url_rewrite_concurrency", "url_rewrite_concurrency : Remove this line. Set the 'concurrency=' option of url_rewrite_children instead.");
        String v = t.next();
        if (v == null) throw d.error(null, "missing the number");
        int n = SquidValues.integer(v, d);
        d.squid(v, "WARNING: url_rewrite_concurrency upgrade overriding url_rewrite_children settings.");
        if (n < 0) throw d.error(v, "negative: Squid would read it as the unsigned concurrency " + (n & 0xFFFF_FFFFL));
        urlRewrite.children.concurrency = n;
    }

    /** An {@code eol} program directive, split as src/ssl/helper.cc splits it; the validator's leading {@code ttl=} and {@code cache=} are its cache's. */
    private void commandLine(HelperDraft h, LineTokens t, boolean validatorOptions) throws SquidConfException {
        String rest = t.restOfLine();
        if (rest == null || rest.isBlank()) throw d.error(null, "missing the program");
        List<String> words = Words.split(rest);
        if (validatorOptions) {
            while (!words.isEmpty() && (words.get(0).startsWith("ttl=") || words.get(0).startsWith("cache="))) {
                String w = words.remove(0);
                h.settings.put(w.substring(0, w.indexOf('=')), Long.toString(SquidValues.atoi(w.substring(w.indexOf('=') + 1))));
            }
            if (words.isEmpty()) throw d.error(rest, "missing the program after the options");
        }
        h.program.clear();
        h.program.addAll(words);
        h.programLine = d.line();
    }

    /** The helpers the lines configure, in Squid's order: authentication, external ACLs, rewriters, certificates. */
    List<SquidHelper> helpers() throws SquidConfException {
        List<SquidHelper> out = new ArrayList<>();
        for (HelperDraft h : auth.drafts()) {
            if (h.program.isEmpty()) {
                unused(h);
            } else if (h.kind == HelperKind.DIGEST_AUTH && !h.settings.containsKey("realm")) {
                d.at(h.programLine, "auth_param digest realm");
                d.note("", "no realm: Squid does not use the digest scheme without one and starts none of its helpers");
            } else {
                out.add(h.build(d));
            }
        }
        for (HelperDraft h : externalAcls.drafts()) out.add(h.build(d));
        for (HelperDraft h : List.of(urlRewrite, storeId, certValidator, certGenerator)) {
            if (h.program.isEmpty()) unused(h);
            else out.add(h.build(d));
        }
        return out;
    }

    private void unused(HelperDraft h) {
        if (h.childrenLine == null) return;
        d.at(h.childrenLine, h.directive.replace("program", "children"));
        d.note(Integer.toString(h.children.max), "no " + h.directive + " line: no helper"
                + (h.kind == HelperKind.SSL_CERT_GENERATOR ? " (Squid would run its built-in security_file_certgen where SSL-Bump generates certificates)" : ""));
    }
}
