package io.procmaster.helper;

/**
 * What a pool under {@link OverloadPolicy#QUEUE} does once its queue has stayed over its
 * {@link HelperPoolConfig#queueLimit()} for {@link HelperPoolConfig#persistentOverloadAfter()}
 * (Squid's {@code on-persistent-overload=}; docs/helpers.md, "Overload").
 */
public enum PersistentOverloadAction {
    /**
     * Squid's default {@code die}: as Squid's fatalf followed by its supervisor's restart, the pool fails
     * every request it holds with {@link HelperException.Overload} and restarts its helpers as a new
     * generation; it keeps serving (docs/helpers.md "Overload").
     */
    DIE,
    /** Squid's {@code ERR}: new requests are answered at once as if the helper had said ERR. */
    ERR
}
