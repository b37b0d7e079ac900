package io.procmaster.helper;

/**
 * What a request gets when its {@link HelperPoolConfig#requestTimeout()} passes (Squid's
 * {@code url_rewrite_timeout ... on_timeout=}; docs/helpers.md, "Timeouts").
 */
public enum TimeoutAction {
    /** {@code on_timeout=bypass}: the caller gets a {@link HelperReply.Status#BYPASSED} reply. */
    BYPASS,
    /** {@code on_timeout=retry}: the request is sent again, to another helper where there is one. */
    RETRY,
    /** {@code on_timeout=fail}: the caller gets {@link HelperException.Timeout}. */
    FAIL,
    /** {@code on_timeout=use_configured_response}: the caller gets {@link HelperPoolConfig#timeoutResponse()} as the reply. */
    USE_CONFIGURED_RESPONSE
}
