package io.procmaster.helper.squid;

import io.procmaster.helper.PersistentOverloadAction;

/**
 * The sizing of one helper as Squid's {@code Helper::ChildConfig} holds it, and its reader
 * {@link #parse}, Squid 5.7's {@code ChildConfig::parseConfig} (src/helper/ChildConfig.cc): a bare
 * number of children, then {@code startup= idle= concurrency= queue-size= on-persistent-overload=
 * reservation-timeout=}, with Squid's corrections as warnings in Squid's words ({@code idle=0}
 * becomes 1, {@code startup} and {@code idle} above the maximum are capped) and its errors.
 *
 * <p>Like Squid, a line updates the values in place: what a line does not set keeps the directive's
 * default or the previous line's value ({@code sslcrtvalidator_children 4} keeps the default's
 * {@code concurrency=1}). Mutable; one per helper being parsed.
 *
 * <p>Failure modes: {@link #parse} throws {@link SquidConfException} (file, line, directive, value)
 * where Squid stops: no number, fewer than 1 child, a value that is not a number
 * ({@code SquidValues.unsigned}), an unknown {@code on-persistent-overload=} action or option.
 * What Squid corrects ({@code idle=0}, {@code startup}/{@code idle} above the maximum) is a warning
 * in Squid's words, never an exception.
 */
final class Children {
    int max;
    int startup;
    int idle = 1;
    int concurrency;
    int queueSize;
    boolean defaultQueueSize = true;
    PersistentOverloadAction onPersistentOverload = PersistentOverloadAction.DIE;
    /** {@code reservation-timeout=} in seconds, or -1: not given (Squid's 64). */
    long reservationTimeoutSeconds = -1;

    /** The values of a directive's default ({@code 20 startup=0 idle=1 concurrency=0}). */
    static Children of(int max, int startup, int idle, int concurrency) {
        Children c = new Children();
        c.max = max;
        c.startup = startup;
        c.idle = idle;
        c.concurrency = concurrency;
        c.queueSize = 2 * max;
        return c;
    }

    /** Reads {@code N [option=value]...} from {@code t}; throws where Squid stops with {@code Bungled}. */
    void parse(LineTokens t, Diagnostics d) throws SquidConfException {
        String token = t.next();
        if (token == null) throw d.error(null, "missing the number of children");
        max = SquidValues.unsigned(token, d);
        if (max < 1) throw d.error(token, "The maximum number of processes cannot be less than 1.");
        while ((token = t.next()) != null) {
            if (token.startsWith("startup=")) {
                startup = SquidValues.unsigned(token.substring(8), d);
            } else if (token.startsWith("idle=")) {
                idle = SquidValues.unsigned(token.substring(5), d);
                if (idle < 1) {
                    d.squid(token, "WARNING OVERRIDE: Using idle=0 for helpers causes request failures. Overriding to use idle=1 instead.");
                    idle = 1;
                }
            } else if (token.startsWith("concurrency=")) {
                concurrency = SquidValues.unsigned(token.substring(12), d);
            } else if (token.startsWith("queue-size=")) {
                queueSize = SquidValues.unsigned(token.substring(11), d);
                defaultQueueSize = false;
            } else if (token.startsWith("on-persistent-overload=")) {
                String action = token.substring(23);
                if (action.equals("ERR")) onPersistentOverload = PersistentOverloadAction.ERR;
                else if (action.equals("die")) onPersistentOverload = PersistentOverloadAction.DIE;
                else throw d.error(token, "Unsupported on-persistent-overloaded action: " + action);
            } else if (token.startsWith("reservation-timeout=")) {
                reservationTimeoutSeconds = SquidValues.unsigned(token.substring(20), d);
            } else {
                throw d.error(token, "Undefined option: " + token + ".");
            }
        }
        if (startup > max) {
            d.squid("startup=" + startup, "WARNING OVERRIDE: Capping startup=" + startup + " to the defined maximum (" + max + ")");
            startup = max;
        }
        if (idle > max) {
            d.squid("idle=" + idle, "WARNING OVERRIDE: Capping idle=" + idle + " to the defined maximum (" + max + ")");
            idle = max;
        }
        if (defaultQueueSize) queueSize = 2 * max;
    }
}
