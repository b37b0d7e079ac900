package io.procmaster.helper.squid;

import io.procmaster.helper.HelperKind;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code external_acl_type name [options] FORMAT /path/helper [arguments]} as Squid 5.7 reads it
 * (src/external_acl.cc, parse_externalAclHelper): options until the first word that is none of
 * them ({@code ttl= negative_ttl= children= children-max= children-startup= children-idle=
 * concurrency= queue-size= cache= grace= protocol=2.5|3.0 quote=url|shell ipv4 ipv6}; numbers read
 * with C's lenient {@code atoi}), then the {@code %} format tokens (at least one), then the program
 * and its arguments. Squid's corrections are silent here (startup and idle capped at the maximum,
 * idle at least 1); procmaster notes them. Squid knows no {@code on-persistent-overload=} here: that
 * word ends the options and, before any format token, makes the line one Squid refuses.
 *
 * <p>Interface: {@link #parse} per line, {@link #drafts} at the end, in order. Failure modes: a
 * line without name, format or program, and values a pool cannot hold (no children, negative
 * numbers Squid would read as huge unsigned ones) throw {@link SquidConfException}.
 */
final class ExternalAclTypes {
    private final List<HelperDraft> drafts = new ArrayList<>();

    /** Reads the rest of an {@code external_acl_type} line. */
    void parse(LineTokens t, Diagnostics d) throws SquidConfException {
        String name = t.next();
        if (name == null) throw d.error(null, "missing the name");
        Children c = Children.of(5, 0, 1, 0);
        HelperDraft draft = new HelperDraft(name, "external_acl_type", HelperKind.EXTERNAL_ACL, c);
        draft.bypass = true; // a full queue: "the acl is ignored" (cf.data.pre queue-size)
        var s = draft.settings;
        s.put("ttl", "3600");
        s.put("negative_ttl", null);
        s.put("cache", Integer.toString(256 * 1024));
        s.put("grace", "1");
        s.put("quote", "url");
        String token = t.next();
        for (; token != null; token = t.next()) {
            if (token.startsWith("ttl=")) s.put("ttl", number(token, 4, d));
            else if (token.startsWith("negative_ttl=")) s.put("negative_ttl", number(token, 13, d));
            else if (token.startsWith("children=")) {
                c.max = count(token, 9, d);
                d.squid(token, "WARNING: external_acl_type option children=N has been deprecated in favor of children-max=N and children-startup=N");
            } else if (token.startsWith("children-max=")) c.max = count(token, 13, d);
            else if (token.startsWith("children-startup=")) c.startup = count(token, 17, d);
            else if (token.startsWith("children-idle=")) c.idle = count(token, 14, d);
            else if (token.startsWith("concurrency=")) c.concurrency = count(token, 12, d);
            else if (token.startsWith("queue-size=")) {
                c.queueSize = count(token, 11, d);
                c.defaultQueueSize = false;
            } else if (token.startsWith("cache=")) s.put("cache", number(token, 6, d));
            else if (token.startsWith("grace=")) s.put("grace", number(token, 6, d));
            else if (token.equals("protocol=2.5")) s.put("quote", "shell");
            else if (token.equals("protocol=3.0")) {
                d.squid(token, "WARNING: external_acl_type option protocol=3.0 is deprecated. Remove this from your config.");
                s.put("quote", "url");
            } else if (token.equals("quote=url")) {
                d.squid(token, "WARNING: external_acl_type option quote=url is deprecated. Remove this from your config.");
                s.put("quote", "url");
            } else if (token.equals("quote=shell")) {
                d.squid(token, "WARNING: external_acl_type option quote=shell is deprecated. Use protocol=2.5 if still needed.");
                s.put("quote", "shell");
            } else if (token.equals("ipv4") || token.equals("ipv6")) {
                d.note(token, "not applicable: procmaster talks to its helpers over pipes or socketpairs, not over a localhost TCP connection");
            } else {
                break;
            }
        }
        if (c.max < 1) throw d.error("children-max=" + c.max, "a pool needs at least one child (Squid would start none and queue every lookup)");
        if (c.startup > c.max) {
            d.note("children-startup=" + c.startup, "capped to children-max=" + c.max + ", as Squid caps it (silently)");
            c.startup = c.max;
        }
        if (c.idle > c.max) {
            d.note("children-idle=" + c.idle, "capped to children-max=" + c.max + ", as Squid caps it (silently)");
            c.idle = c.max;
        }
        if (c.idle < 1) {
            d.note("children-idle=" + c.idle, "raised to 1, as Squid raises it (silently)");
            c.idle = 1;
        }
        if (s.get("negative_ttl") == null) s.put("negative_ttl", s.get("ttl"));
        if (c.defaultQueueSize) c.queueSize = 2 * c.max;
        boolean data = false;
        for (; token != null && token.startsWith("%"); token = t.next()) {
            if (token.startsWith("%<{")) {
                d.squid(token, "WARNING: external_acl_type format %<{...} is deprecated. Use %<h" + token.substring(2));
                token = "%<h" + token.substring(2);
            } else if (token.startsWith("%>{")) {
                d.squid(token, "WARNING: external_acl_type format %>{...} is deprecated. Use %>ha" + token.substring(2));
                token = "%>ha" + token.substring(2);
            }
            if (token.matches("%[-#'\"/+]*DATA.*")) data = true;
            draft.format.add(token);
        }
        if (draft.format.isEmpty()) throw d.error(token, "There must be at least one format token (a %macro) before the program");
        if (!data) draft.format.add("%DATA");
        if (token == null) throw d.error(null, "missing the program after the format");
        draft.program.add(token);
        for (String w; (w = t.nextQuoted()) != null; ) draft.program.add(w);
        draft.programLine = d.line();
        draft.childrenLine = d.line();
        for (HelperDraft other : drafts) {
            if (other.name.equals(name)) {
                d.note(name, "a second external_acl_type of this name: ACLs use the first (" + other.programLine.place()
                        + "), as Squid's do; this one's helpers still run");
            }
        }
        drafts.add(draft);
    }

    /** An option's number as C's atoi reads it; a value it cuts short is noted. */
    private static String number(String token, int at, Diagnostics d) {
        String v = token.substring(at);
        long n = SquidValues.atoi(v);
        if (!SquidValues.wholeNumber(v)) d.note(token, "read as " + n + ", as Squid's atoi reads it");
        return Long.toString(n);
    }

    private static int count(String token, int at, Diagnostics d) throws SquidConfException {
        long n = Long.parseLong(number(token, at, d));
        if (n < 0) throw d.error(token, "negative: Squid would read it as the unsigned number " + (n & 0xFFFF_FFFFL));
        if (n > Integer.MAX_VALUE) throw d.error(token, "is above " + Integer.MAX_VALUE + ", the most a procmaster pool holds");
        return (int) n;
    }

    /** The external ACL helpers, in the order of their lines. */
    List<HelperDraft> drafts() {
        return drafts;
    }
}
