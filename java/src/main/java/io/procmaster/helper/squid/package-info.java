/**
 * Squid's own conventions for its helpers, for pools that run Squid's helper programs: the requests
 * Squid writes to each kind of helper, from raw values ({@link io.procmaster.helper.squid.SquidRequests}),
 * and the value escapes it uses ({@link io.procmaster.helper.squid.SquidEscaping},
 * {@link io.procmaster.helper.squid.SquidQuoting}). See {@code docs/helpers.md}, "End of message,
 * bodies and request escaping".
 *
 * <p>Exported. Pure functions over values; imports only {@link io.procmaster.helper.HelperKind}.
 */
package io.procmaster.helper.squid;
