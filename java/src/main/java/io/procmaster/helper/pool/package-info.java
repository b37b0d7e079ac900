/**
 * The helper pool's engine: {@link io.procmaster.helper.pool.HelperPoolEngine} (the loop-side state and
 * its entry points) and one collaborator per concern: caller-side admission
 * ({@code HelperPoolAdmission}, see {@code docs/edges.md} "Helper pool admission"), submission,
 * dispatch, batched writes, reply routing, request timeouts, reservations, helper lifecycle (start,
 * loss, restart backoff, crash-loop breaker), shutdown and reconfigure, statistics and the
 * service-time histogram. Timers, the restart back-off and the breaker's window are the shared ones of
 * {@code io.procmaster.time} ({@code TimerQueue}, {@code ExponentialBackoff}, {@code SlidingWindow}).
 * See {@code docs/helpers.md}.
 *
 * <p>Public: only {@code HelperPoolEngine}, for the {@link io.procmaster.helper.HelperPool} facade;
 * everything else is package-private. May import {@code io.procmaster.helper}'s value types (never
 * {@code HelperPool}/{@code HelperPools}), {@code helper.process}, {@code helper.wire} and
 * {@code io.procmaster.time}.
 */
package io.procmaster.helper.pool;
