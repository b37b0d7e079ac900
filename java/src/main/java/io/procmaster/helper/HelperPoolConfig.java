package io.procmaster.helper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable configuration of one helper pool; built with {@link #builder(String)}.
 *
 * <p>Sizing follows Squid 3.2+: at most {@code children} processes, {@code startup} started at once,
 * {@code idle} more started each time a request has to queue while there is room, and when a helper
 * dies ({@link DeadHelperReplacement}). Other settings: concurrency and channel-ID dialect, queue
 * bound, overload policy (Squid's queue-and-warn by default) and admission limit, request timeout and
 * its action (by {@link HelperKind}: none, as Squid), BH retries, restart backoff, crash-loop breaker,
 * maximum reply line, stateful reservations.
 *
 * <p>Failure modes: {@link Builder#build()} throws {@link IllegalArgumentException} listing every
 * invalid setting the caller made (no silent capping of those); a default of the kind the caller did
 * not set is capped instead ({@link #startup()}).
 */
public final class HelperPoolConfig {
    private final String name;
    private final HelperKind kind;
    private final int children;
    private final int startup;
    private final boolean startupSet; // false: the kind's default, capped to children
    private final int idle;
    private final int concurrency;
    private final ChannelIdDialect channelIdDialect;
    private final int queueLimit;
    private final int admissionLimit;
    private final int admissionLimitSetting; // -1: the default for the overload policy
    private final long admissionByteLimit;
    private final OverloadPolicy overloadPolicy;
    private final Duration requestTimeout;
    private final int bhRetries;
    private final Duration restartBackoffInitial;
    private final Duration restartBackoffMax;
    private final int breakerDeaths;
    private final Duration breakerWindow;
    private final int maxReplyLine;
    private final boolean stateful;
    private final Duration reservationTimeout;
    private final Duration persistentOverloadAfter;
    private final PersistentOverloadAction onPersistentOverload;
    private final TimeoutAction onTimeout;
    private final String timeoutResponse;
    private final byte endOfMessage;
    private final DeadHelperReplacement deadHelperReplacement;

    private HelperPoolConfig(Builder b) {
        name = b.name;
        kind = b.kind;
        children = b.children;
        startupSet = b.startupSet;
        startup = b.effectiveStartup();
        idle = b.idle;
        concurrency = b.concurrency;
        channelIdDialect = b.channelIdDialect;
        queueLimit = b.queueLimit >= 0 ? b.queueLimit : 2 * b.children;
        overloadPolicy = b.overloadPolicy;
        admissionLimitSetting = b.admissionLimit;
        admissionLimit = b.admissionLimit >= 0 ? b.admissionLimit : defaultAdmissionLimit(queueLimit, children, concurrency, overloadPolicy);
        admissionByteLimit = b.admissionByteLimit;
        requestTimeout = b.requestTimeout;
        bhRetries = b.bhRetries;
        restartBackoffInitial = b.restartBackoffInitial;
        restartBackoffMax = b.restartBackoffMax;
        breakerDeaths = b.breakerDeaths;
        breakerWindow = b.breakerWindow;
        maxReplyLine = b.maxReplyLine;
        stateful = b.stateful;
        reservationTimeout = b.reservationTimeout;
        persistentOverloadAfter = b.persistentOverloadAfter;
        onPersistentOverload = b.onPersistentOverload;
        onTimeout = b.onTimeout;
        timeoutResponse = b.timeoutResponse;
        endOfMessage = b.endOfMessage;
        deadHelperReplacement = b.deadHelperReplacement;
    }

    /**
     * The most requests a pool under {@link OverloadPolicy#QUEUE} holds by default: Squid queues without a
     * bound until its persistent-overload timer acts; a library bounds its memory instead. 10 000
     * requests of a few hundred bytes each are a few MB, ten times a burst of 1 000 (issue 12).
     */
    public static final int DEFAULT_QUEUED_ADMISSION_LIMIT = 10_000;

    /**
     * The most request bytes a pool holds by default ({@link #admissionByteLimit()}): 64 MiB. The
     * request count alone does not bound memory (10 000 certificate chains of 64 KiB are 640 MB).
     */
    public static final long DEFAULT_ADMISSION_BYTE_LIMIT = 64L * 1024 * 1024;

    /** The queue plus every helper's in-flight slots; under QUEUE at least {@link #DEFAULT_QUEUED_ADMISSION_LIMIT}. */
    private static int defaultAdmissionLimit(int queueLimit, int children, int concurrency, OverloadPolicy policy) {
        long bounded = (long) queueLimit + (long) children * Math.max(1, concurrency);
        if (policy == OverloadPolicy.QUEUE) bounded = Math.max(bounded, DEFAULT_QUEUED_ADMISSION_LIMIT);
        return (int) Math.min(Integer.MAX_VALUE, bounded);
    }

    /** A builder for a pool named {@code name} (for logs and errors), with the documented defaults. */
    public static Builder builder(String name) {
        return new Builder(name, HelperKind.GENERIC);
    }

    /** A builder for a pool of Squid's helper kind {@code kind}, with that kind's defaults (docs/helpers.md). */
    public static Builder builder(String name, HelperKind kind) {
        return new Builder(name, Objects.requireNonNull(kind, "kind"));
    }

    /** A builder pre-filled with this configuration, for reconfigure. */
    public Builder toBuilder() {
        Builder b = new Builder(name, kind);
        b.children = children;
        if (startupSet) b.startup(startup); // else the kind's default again, capped to the new children
        b.idle = idle;
        b.concurrency = concurrency;
        b.channelIdDialect = channelIdDialect;
        b.queueLimit = queueLimit;
        b.overloadPolicy = overloadPolicy;
        b.admissionLimit = admissionLimitSetting;
        b.admissionByteLimit = admissionByteLimit;
        b.requestTimeout = requestTimeout;
        b.bhRetries = bhRetries;
        b.restartBackoffInitial = restartBackoffInitial;
        b.restartBackoffMax = restartBackoffMax;
        b.breakerDeaths = breakerDeaths;
        b.breakerWindow = breakerWindow;
        b.maxReplyLine = maxReplyLine;
        b.stateful = stateful;
        b.reservationTimeout = reservationTimeout;
        b.persistentOverloadAfter = persistentOverloadAfter;
        b.onPersistentOverload = onPersistentOverload;
        b.onTimeout = onTimeout;
        b.timeoutResponse = timeoutResponse;
        b.endOfMessage = endOfMessage;
        b.deadHelperReplacement = deadHelperReplacement;
        return b;
    }

    /** Pool name for logs and errors (e.g. "url_rewriter"). */
    public String name() { return name; }
    /** The Squid helper kind whose defaults and request conventions this pool follows. */
    public HelperKind kind() { return kind; }
    /** Maximum number of helper processes of the current generation. */
    public int children() { return children; }
    /**
     * Processes started at (re)start: as set, or the kind's default (5 for the certificate kinds, else
     * 0) capped to {@link #children()}, as Squid caps it ({@code WARNING OVERRIDE}); a default the
     * caller never set does not make {@link Builder#build()} fail.
     */
    public int startup() { return startup; }
    /** Processes started at once when a request has to queue and there is room. */
    public int idle() { return idle; }
    /** 0 = classic one-request-per-helper protocol; &gt; 0 = up to that many tagged requests in flight. */
    public int concurrency() { return concurrency; }
    /** How concurrent requests are tagged with channel IDs (Squid's or Lusca's), when {@link #concurrency()} is above 0. */
    public ChannelIdDialect channelIdDialect() { return channelIdDialect; }
    /** Queued requests beyond which the overload policy applies. */
    public int queueLimit() { return queueLimit; }
    /**
     * The most requests the pool holds admitted and not yet completed, wherever they are (on their way
     * to the loop, queued, in flight): the hard cap that keeps memory bounded. Set with
     * {@link Builder#admissionLimit(int)}; by default {@code queueLimit + children × max(1, concurrency)},
     * the queue plus every helper's in-flight slots, and under {@link OverloadPolicy#QUEUE} (which
     * queues beyond {@code queueLimit}) at least {@link #DEFAULT_QUEUED_ADMISSION_LIMIT}; at most
     * {@link Integer#MAX_VALUE}. A submission beyond it is refused at once, in the caller's thread
     * ({@link HelperException.Overload}, or a BYPASSED reply under {@link OverloadPolicy#BYPASS}).
     * Reservations and their steps count like requests; requests still in flight on helpers retired
     * by a reconfigure count too. docs/helpers.md "Overload".
     */
    public int admissionLimit() { return admissionLimit; }
    /**
     * The most request bytes the pool holds admitted and not yet completed, beside
     * {@link #admissionLimit()}'s count: a submission whose size would take the held bytes beyond it
     * is refused at once, in the caller's thread, as the count's limit refuses
     * ({@link HelperException.Overload} naming the budget, or a BYPASSED reply under
     * {@link OverloadPolicy#BYPASS}); one that reaches it exactly is admitted; a completed request
     * gives its bytes back. So it is also the largest request the pool takes. A byte request counts
     * its bytes, a String request its chars (what the heap holds of a Latin-1 String; a UTF-16 one
     * holds twice that), the channel ID and LF the pool adds are not counted, and a reservation counts
     * nothing. Default {@link #DEFAULT_ADMISSION_BYTE_LIMIT}; set with
     * {@link Builder#admissionByteLimit(long)}. docs/helpers.md "Overload".
     */
    public long admissionByteLimit() { return admissionByteLimit; }
    /** What a submission gets beyond the queue limit (default {@link OverloadPolicy#QUEUE}, Squid's). */
    public OverloadPolicy overloadPolicy() { return overloadPolicy; }
    /**
     * Submit-to-reply limit (queue time included); {@link Duration#ZERO} = none, the default of every
     * {@link HelperKind}, as in Squid (docs/helpers.md "Timeouts").
     */
    public Duration requestTimeout() { return requestTimeout; }
    /** How many times a BH reply is retried on another helper before the caller gets it. */
    public int bhRetries() { return bhRetries; }
    /** First delay before a helper that died is replaced; doubles per death up to {@link #restartBackoffMax()}. */
    public Duration restartBackoffInitial() { return restartBackoffInitial; }
    /** Longest delay before a helper that died is replaced. */
    public Duration restartBackoffMax() { return restartBackoffMax; }
    /** Helper deaths (including start failures) within {@link #breakerWindow()} that open the breaker. */
    public int breakerDeaths() { return breakerDeaths; }
    /** The window in which {@link #breakerDeaths()} deaths open the crash-loop breaker. */
    public Duration breakerWindow() { return breakerWindow; }
    /** Longest accepted reply line in bytes, terminator excluded. */
    public int maxReplyLine() { return maxReplyLine; }
    /** Stateful helpers: one request per helper, reservations for multi-step exchanges. */
    public boolean stateful() { return stateful; }
    /** An idle reservation older than this expires and frees its helper. */
    public Duration reservationTimeout() { return reservationTimeout; }
    /** Under {@link OverloadPolicy#QUEUE}: how long the queue may stay over its limit before {@link #onPersistentOverload()} acts. */
    public Duration persistentOverloadAfter() { return persistentOverloadAfter; }
    /** Under {@link OverloadPolicy#QUEUE}: what persistent overload does (Squid's {@code on-persistent-overload=}). */
    public PersistentOverloadAction onPersistentOverload() { return onPersistentOverload; }
    /** What a request gets when its {@link #requestTimeout()} passes (Squid's {@code on_timeout=}). */
    public TimeoutAction onTimeout() { return onTimeout; }
    /** The reply under {@link TimeoutAction#USE_CONFIGURED_RESPONSE} (Squid's {@code response=}); null if none. */
    public String timeoutResponse() { return timeoutResponse; }
    /**
     * The byte that ends each reply: LF, or 0x01 for Squid's certificate helpers, whose replies hold
     * LFs. Requests always end with LF, as Squid sends them; a request may hold LFs only when this is
     * not LF, and never this byte (docs/helpers.md, "End of message, bodies and request escaping").
     */
    public byte endOfMessage() { return endOfMessage; }
    /** When a helper that died is replaced (default {@link DeadHelperReplacement#AT_ONCE}, Squid's). */
    public DeadHelperReplacement deadHelperReplacement() { return deadHelperReplacement; }

    @Override
    public String toString() {
        return "HelperPoolConfig{" + name + (kind != HelperKind.GENERIC ? " kind=" + kind : "") + " children=" + children + " startup=" + startup + " idle=" + idle
                + " concurrency=" + concurrency + (concurrency > 0 ? " ids=" + channelIdDialect : "")
                + " queue=" + queueLimit + " overload=" + overloadPolicy + " admission=" + admissionLimit
                + (admissionByteLimit != DEFAULT_ADMISSION_BYTE_LIMIT ? " admission-bytes=" + admissionByteLimit : "")
                + " timeout=" + requestTimeout + (requestTimeout.isZero() ? "" : " on-timeout=" + onTimeout)
                + (stateful ? " stateful reservation-timeout=" + reservationTimeout : "") + "}";
    }

    /** Builder with the documented defaults. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final HelperKind kind;
        private int children = 5;
        private int startup = 0; // the kind's default until startup() is called; then the caller's
        private boolean startupSet;
        private int idle = 1;
        private int concurrency = 0;
        private ChannelIdDialect channelIdDialect = ChannelIdDialect.MONOTONIC;
        private int queueLimit = -1; // -1: 2 × children, Squid's default
        private OverloadPolicy overloadPolicy = OverloadPolicy.QUEUE; // Squid's
        private int admissionLimit = -1; // -1: the policy's default (HelperPoolConfig#admissionLimit)
        private long admissionByteLimit = DEFAULT_ADMISSION_BYTE_LIMIT;
        private Duration requestTimeout;
        private DeadHelperReplacement deadHelperReplacement = DeadHelperReplacement.AT_ONCE; // Squid's
        private int bhRetries = 2;
        private Duration restartBackoffInitial = Duration.ofMillis(100);
        private Duration restartBackoffMax = Duration.ofSeconds(30);
        private int breakerDeaths = 5;
        private Duration breakerWindow = Duration.ofSeconds(30);
        private int maxReplyLine = 128 * 1024;
        private boolean stateful;
        private Duration reservationTimeout = Duration.ofSeconds(64);
        private Duration persistentOverloadAfter = Duration.ofMinutes(3); // Squid 5: 3 minutes
        private PersistentOverloadAction onPersistentOverload = PersistentOverloadAction.DIE;
        private TimeoutAction onTimeout;
        private String timeoutResponse;
        private byte endOfMessage = '\n';

        private Builder(String name, HelperKind kind) {
            this.name = Objects.requireNonNull(name, "name");
            this.kind = kind;
            // ---- request timeout by kind (part "overload"; docs/helpers.md "Timeouts") ----
            // Squid 5.7 (cf.data.pre) has no timeout for any helper kind unless configured: only
            // url_rewrite_timeout exists, "DEFAULT: none", and its on_timeout defaults to bypass.
            requestTimeout = Duration.ZERO;
            onTimeout = kind == HelperKind.URL_REWRITE ? TimeoutAction.BYPASS : TimeoutAction.FAIL;
            // ---- end of request timeout by kind ----
            // Squid reads its certificate helpers' replies up to 0x01 (src/ssl/helper.cc); docs/helpers.md, "End of message".
            if (kind == HelperKind.SSL_CERT_VALIDATOR || kind == HelperKind.SSL_CERT_GENERATOR) endOfMessage = 0x01;
            // ---- sizing by kind: Squid 5.7's defaults (src/cf.data.pre; auth: SchemeConfig's 20 children;
            // external_acl_type: 5, DEFAULT_EXTERNAL_ACL_CHILDREN); NTLM and Negotiate helpers are stateful ----
            switch (kind) {
                case BASIC_AUTH, DIGEST_AUTH, URL_REWRITE, STORE_ID -> children = 20;
                case NTLM_AUTH, NEGOTIATE_AUTH -> { children = 20; stateful = true; }
                case EXTERNAL_ACL, GENERIC -> children = 5;
                case SSL_CERT_GENERATOR -> { children = 32; startup = 5; }
                case SSL_CERT_VALIDATOR -> { children = 32; startup = 5; concurrency = 1; }
            }
            // ---- end of sizing by kind ----
        }

        /** Most helper processes ({@link HelperPoolConfig#children()}). */
        public Builder children(int max) { children = max; return this; }
        /** Processes started at (re)start ({@link HelperPoolConfig#startup()}); a value set here is checked, never capped. */
        public Builder startup(int n) {
            startup = n;
            startupSet = true;
            return this;
        }

        /** The caller's startup, or the kind's default capped to children (review of issue 12, item 10). */
        private int effectiveStartup() {
            return startupSet ? startup : Math.max(0, Math.min(startup, children));
        }
        /** Processes started at once when a request has to queue ({@link HelperPoolConfig#idle()}). */
        public Builder idle(int n) { idle = n; return this; }
        /** Requests in flight per helper; 0 is the classic protocol ({@link HelperPoolConfig#concurrency()}). */
        public Builder concurrency(int c) { concurrency = c; return this; }
        /** The channel-ID dialect for concurrent helpers ({@link HelperPoolConfig#channelIdDialect()}). */
        public Builder channelIdDialect(ChannelIdDialect d) { channelIdDialect = d; return this; }
        /** Queued requests beyond which the overload policy applies; default twice {@code children}. */
        public Builder queueLimit(int n) { queueLimit = n; return this; }
        /** The hard cap on requests held ({@link HelperPoolConfig#admissionLimit()}); at least 1. */
        public Builder admissionLimit(int n) { admissionLimit = n; return this; }
        /** The cap on request bytes held ({@link HelperPoolConfig#admissionByteLimit()}); at least 1. */
        public Builder admissionByteLimit(long bytes) { admissionByteLimit = bytes; return this; }
        /** When a helper that died is replaced ({@link DeadHelperReplacement}). */
        public Builder deadHelperReplacement(DeadHelperReplacement r) { deadHelperReplacement = r; return this; }
        /** What a submission gets under overload ({@link OverloadPolicy}). */
        public Builder overloadPolicy(OverloadPolicy p) { overloadPolicy = p; return this; }
        /** Submit-to-reply limit; {@link Duration#ZERO} for none. */
        public Builder requestTimeout(Duration d) { requestTimeout = d; return this; }
        /** How often a BH reply is retried on another helper. */
        public Builder bhRetries(int n) { bhRetries = n; return this; }
        /** The restart delay of a helper that died: {@code initial}, doubling up to {@code max}. */
        public Builder restartBackoff(Duration initial, Duration max) {
            restartBackoffInitial = initial;
            restartBackoffMax = max;
            return this;
        }
        /** The crash-loop breaker: {@code deaths} deaths within {@code window} open it. */
        public Builder breaker(int deaths, Duration window) {
            breakerDeaths = deaths;
            breakerWindow = window;
            return this;
        }
        /** Longest accepted reply line in bytes. */
        public Builder maxReplyLine(int bytes) { maxReplyLine = bytes; return this; }
        /** Stateful helpers: one request per helper, reservations for multi-step exchanges. */
        public Builder stateful(boolean s) { stateful = s; return this; }
        /** How long a reservation may go without a request before the pool frees its helper. */
        public Builder reservationTimeout(Duration d) { reservationTimeout = d; return this; }
        /** How long the queue may stay over its limit before {@code action} acts (under {@link OverloadPolicy#QUEUE}). */
        public Builder persistentOverload(Duration after, PersistentOverloadAction action) {
            persistentOverloadAfter = after;
            onPersistentOverload = action;
            return this;
        }
        /** What a timed-out request gets ({@link TimeoutAction}). */
        public Builder onTimeout(TimeoutAction action) { onTimeout = action; return this; }
        /** The reply a timed-out request gets under {@link TimeoutAction#USE_CONFIGURED_RESPONSE}. */
        public Builder timeoutResponse(String reply) { timeoutResponse = reply; return this; }
        /**
         * The byte that ends each reply (default LF; 0x01 for the certificate kinds). Requests end with
         * LF whatever it is, as Squid's do; with another byte they may carry LFs (docs/helpers.md).
         */
        public Builder endOfMessage(byte eom) { endOfMessage = eom; return this; }

        /** Checks every setting and builds; throws {@link IllegalArgumentException} listing every invalid one. */
        public HelperPoolConfig build() {
            List<String> errors = new ArrayList<>();
            if (name.isBlank()) errors.add("name must not be blank");
            if (children < 1) errors.add("children (maximum processes) must be at least 1, got " + children);
            if (startupSet && (startup < 0 || startup > children))
                errors.add("startup must be within 0.." + children + ", got " + startup);
            if (idle < 1 || idle > children) errors.add("idle must be within 1.." + children + ", got " + idle);
            if (concurrency < 0) errors.add("concurrency must be >= 0, got " + concurrency);
            if (stateful && concurrency != 0) errors.add("stateful helpers take one request at a time: concurrency must be 0, got " + concurrency);
            if (queueLimit < -1) errors.add("queueLimit must be >= 0, got " + queueLimit);
            if (admissionLimit == 0 || admissionLimit < -1) errors.add("admissionLimit must be >= 1, got " + admissionLimit);
            if (admissionByteLimit < 1) errors.add("admissionByteLimit must be >= 1, got " + admissionByteLimit);
            if (Objects.isNull(deadHelperReplacement)) errors.add("deadHelperReplacement must be set");
            if (bhRetries < 0) errors.add("bhRetries must be >= 0, got " + bhRetries);
            if (breakerDeaths < 1) errors.add("breaker deaths must be >= 1, got " + breakerDeaths);
            if (maxReplyLine < 1) errors.add("maxReplyLine must be >= 1 byte, got " + maxReplyLine);
            if (Objects.isNull(channelIdDialect)) errors.add("channelIdDialect must be set");
            if (Objects.isNull(overloadPolicy)) errors.add("overloadPolicy must be set");
            nonNegative(errors, "requestTimeout", requestTimeout);
            nonNegative(errors, "restartBackoff initial", restartBackoffInitial);
            nonNegative(errors, "restartBackoff max", restartBackoffMax);
            nonNegative(errors, "breaker window", breakerWindow);
            nonNegative(errors, "reservationTimeout", reservationTimeout);
            nonNegative(errors, "persistentOverload after", persistentOverloadAfter);
            if (Objects.isNull(onPersistentOverload)) errors.add("persistentOverload action must be set");
            if (Objects.isNull(onTimeout)) errors.add("onTimeout must be set");
            if (onTimeout == TimeoutAction.USE_CONFIGURED_RESPONSE && timeoutResponse == null)
                errors.add("onTimeout USE_CONFIGURED_RESPONSE needs a timeoutResponse");
            if (errors.isEmpty() && restartBackoffMax.compareTo(restartBackoffInitial) < 0)
                errors.add("restartBackoff max " + restartBackoffMax + " is below initial " + restartBackoffInitial);
            if (!errors.isEmpty())
                throw new IllegalArgumentException("invalid helper pool '" + name + "': " + String.join("; ", errors));
            return new HelperPoolConfig(this);
        }

        private static void nonNegative(List<String> errors, String what, Duration d) {
            if (d == null || d.isNegative()) errors.add(what + " must be a non-negative duration, got " + d);
        }
    }
}
