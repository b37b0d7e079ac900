package io.procmaster.helper;

/**
 * The kinds of helper Squid runs, each with its own defaults and request conventions: the
 * per-kind request timeout and its action, the end-of-message byte, whether the helper is
 * stateful, and how request values are escaped (docs/helpers.md, "Squid 5.7 fidelity").
 *
 * <p>{@link #GENERIC} is a helper of no Squid kind: Squid's generic pool defaults, no escaping.
 * A kind only chooses defaults; every setting it chooses can still be set on the builder.
 */
public enum HelperKind {
    /** No Squid kind: Squid's generic pool defaults. */
    GENERIC,
    /** {@code auth_param basic}: {@code user password}, each %-escaped; OK / ERR / BH. */
    BASIC_AUTH,
    /** {@code auth_param digest}: {@code "user":"realm"}; OK ha1=... / ERR / BH. */
    DIGEST_AUTH,
    /** {@code auth_param ntlm}: stateful; YR / KK with tokens; TT / AF / NA / BH. */
    NTLM_AUTH,
    /** {@code auth_param negotiate}: stateful; YR / KK with tokens; TT / AF / NA / BH. */
    NEGOTIATE_AUTH,
    /** {@code external_acl_type}: the format's values, escaped by its quoting; OK / ERR / BH. */
    EXTERNAL_ACL,
    /** {@code url_rewrite_program}: the URL and request extras; OK url= / rewrite-url= / ERR / BH. */
    URL_REWRITE,
    /** {@code store_id_program}: the URL and request extras; OK store-id= / ERR / BH. */
    STORE_ID,
    /** {@code sslcrtvalidator_program}: bodies with PEM lines, messages ending in 0x01. */
    SSL_CERT_VALIDATOR,
    /** {@code sslcrtd_program}: bodies with PEM lines, messages ending in 0x01. */
    SSL_CERT_GENERATOR
}
