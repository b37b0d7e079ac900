/**
 * squid.conf's helper lines as procmaster pools: {@link io.procmaster.helper.squid.SquidConf} reads
 * {@code auth_param}, {@code external_acl_type}, {@code url_rewrite_*}, {@code store_id_*},
 * {@code sslcrtvalidator_*} and {@code sslcrtd_*} as Squid 5.7 reads them and gives each helper as a
 * {@link io.procmaster.helper.squid.SquidHelper}: the {@code HelperPoolConfig} with its
 * {@code HelperKind}, the {@code HelperSpec}, the source line and the settings that are the
 * caller's; Squid's corrections come back as {@link io.procmaster.helper.squid.SquidConfWarning}s,
 * its refusals as {@link io.procmaster.helper.squid.SquidConfException}s naming file, line and value.
 * The map from each directive and option to the builder is the table "squid.conf → procmaster" in
 * {@code docs/helpers.md}.
 *
 * <p>It also holds Squid's own conventions for its helpers: the requests Squid writes to each kind of
 * helper, from raw values ({@link io.procmaster.helper.squid.SquidRequests}), and the value escapes it
 * uses ({@link io.procmaster.helper.squid.SquidEscaping}, {@link io.procmaster.helper.squid.SquidQuoting});
 * see {@code docs/helpers.md}, "End of message, bodies and request escaping".
 *
 * <p>Exported. It uses the helper API ({@code io.procmaster.helper}) and nothing below it; nothing in
 * the library uses it.
 */
package io.procmaster.helper.squid;
