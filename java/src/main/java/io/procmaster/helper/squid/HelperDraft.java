package io.procmaster.helper.squid;

import io.procmaster.helper.HelperKind;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperSpec;
import io.procmaster.helper.OverloadPolicy;
import io.procmaster.helper.TimeoutAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the lines of one helper said so far, and {@link #build}, the one map from Squid's settings
 * to the builder (docs/helpers.md, "squid.conf → procmaster"): children, startup, idle and
 * concurrency as they are; {@code queue-size} (default twice the children, 0 under a bypass) to
 * {@code queueLimit}; Squid's queue-and-warn overload ({@link OverloadPolicy#QUEUE} with
 * {@code persistentOverload(3 minutes, on-persistent-overload)}), or {@link OverloadPolicy#BYPASS}
 * where Squid bypasses a full queue ({@code url_rewrite_bypass}, {@code store_id_bypass}, an
 * external ACL whose queue is full is ignored); no request timeout but {@code url_rewrite_timeout}
 * with its {@code on_timeout} and {@code response}, and that only for a concurrent helper (Squid
 * times out no classic one: the value is noted as not applied); stateful NTLM and Negotiate with their
 * {@code reservation-timeout}; end-of-message 0x01 for the certificate helpers.
 *
 * <p>Failure modes: {@link #build} throws {@link SquidConfException} at the program's line when
 * the builder refuses the result or the program cannot be found. Mutable; one parse.
 */
final class HelperDraft {
    /** How long a queue may stay over its limit before Squid's on-persistent-overload acts (src/helper.cc: 180 s). */
    static final Duration PERSISTENT_OVERLOAD_AFTER = Duration.ofMinutes(3);

    final String name;
    final String directive;
    final HelperKind kind;
    final Children children;
    final List<String> program = new ArrayList<>();
    final Map<String, String> settings = new LinkedHashMap<>();
    final List<String> format = new ArrayList<>();
    SourceLine programLine;
    SourceLine childrenLine;
    /** Whether a full queue bypasses the helper (url_rewrite_bypass, store_id_bypass, an external ACL). */
    boolean bypass;
    /** url_rewrite_timeout, or null: Squid waits for the helper forever. */
    Duration timeout;
    /** The url_rewrite_timeout line, or null. */
    SourceLine timeoutLine;
    TimeoutAction onTimeout = TimeoutAction.BYPASS; // Squid's enum starts at bypass
    String timeoutResponse;

    HelperDraft(String name, String directive, HelperKind kind, Children children) {
        this.name = name;
        this.directive = directive;
        this.kind = kind;
        this.children = children;
    }

    boolean stateful() {
        return kind == HelperKind.NTLM_AUTH || kind == HelperKind.NEGOTIATE_AUTH;
    }

    /** The pool and program these lines make; notes what a pool takes differently. */
    SquidHelper build(Diagnostics d) throws SquidConfException {
        Children c = children;
        int queue = c.defaultQueueSize && bypass && (kind == HelperKind.URL_REWRITE || kind == HelperKind.STORE_ID) ? 0 : c.queueSize;
        HelperPoolConfig.Builder b = HelperPoolConfig.builder(name, kind)
                .children(c.max).startup(c.startup).idle(c.idle)
                .queueLimit(queue)
                .overloadPolicy(bypass ? OverloadPolicy.BYPASS : OverloadPolicy.QUEUE)
                .persistentOverload(PERSISTENT_OVERLOAD_AFTER, c.onPersistentOverload);
        Duration applied = timeout == null ? Duration.ZERO : timeout;
        if (!applied.isZero() && c.concurrency == 0) {
            // Squid 5.7 arms a helper's timeout only "if (hlp->timeout && hlp->childs.concurrency)" (helper.cc
            // helperOpenServers, helperReturnBuffer): a classic helper is waited for, however long it takes.
            d.at(timeoutLine, "url_rewrite_timeout");
            String words = timeoutLine.text().strip();
            d.note(words.substring(Math.min(words.length(), "url_rewrite_timeout".length())).strip(),
                    "not applied: Squid times out only concurrent helpers, and " + name + " has concurrency=0");
            applied = Duration.ZERO;
        }
        b.requestTimeout(applied);
        if (!applied.isZero()) b.onTimeout(onTimeout);
        if (timeoutResponse != null) b.timeoutResponse(timeoutResponse);
        if (stateful()) {
            b.stateful(true).concurrency(0);
            if (c.concurrency != 0) {
                d.at(childrenLine, directive.replace(" program", " children"));
                d.note("concurrency=" + c.concurrency, "ignored: Squid's " + name + " helpers are stateful and take one request at a time");
            }
            if (c.reservationTimeoutSeconds >= 0) b.reservationTimeout(Duration.ofSeconds(c.reservationTimeoutSeconds));
        } else {
            b.concurrency(c.concurrency);
            if (c.reservationTimeoutSeconds >= 0) {
                d.at(childrenLine, directive.replace(" program", " children"));
                d.note("reservation-timeout=" + c.reservationTimeoutSeconds, "not applicable: only stateful helpers (NTLM, Negotiate) hold reservations");
            }
        }
        if (kind == HelperKind.SSL_CERT_GENERATOR || kind == HelperKind.SSL_CERT_VALIDATOR) b.endOfMessage((byte) 1);
        HelperPoolConfig config;
        try {
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw Diagnostics.errorAt(programLine, directive, String.join(" ", program), e.getMessage());
        }
        HelperSpec spec;
        try {
            spec = HelperSpec.builder(name, program.get(0)).args(program.subList(1, program.size())).build();
        } catch (IllegalArgumentException e) {
            throw Diagnostics.errorAt(programLine, directive, program.get(0), e.getMessage());
        }
        return new SquidHelper(name, directive, kind, config, spec, programLine, format, settings);
    }
}
