package io.procmaster.helper;

/**
 * What a pool under {@link OverloadPolicy#QUEUE} does once its queue has stayed over its
 * {@link HelperPoolConfig#queueLimit()} for {@link HelperPoolConfig#persistentOverloadAfter()}
 * (Squid's {@code on-persistent-overload=}; docs/helpers.md, "Overload").
 */
public enum PersistentOverloadAction {
    /** Squid's default {@code die}: the pool fails (docs/helpers.md says what that means in a library). */
    DIE,
    /** Squid's {@code ERR}: new requests are answered at once as if the helper had said ERR. */
    ERR
}
