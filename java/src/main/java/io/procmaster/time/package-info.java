/**
 * Time for the loop threads: the one monotonic {@link io.procmaster.time.Clock}, the one
 * {@link io.procmaster.time.TimerQueue} (with its one exception policy: a throwing task is logged
 * by name and the queue goes on), the one {@link io.procmaster.time.ExponentialBackoff} (the
 * master's throttle, a helper pool's restart delay) and the one
 * {@link io.procmaster.time.SlidingWindow} (the master's spawn-rate limit, a helper pool's
 * crash-loop breaker).
 *
 * <p>Everything here reads time only through a {@code Clock} given to it or as readings passed in,
 * so a hand-driven clock (the tests' {@code FakeClock}, in the test sources only) makes every
 * timer, back-off and window deterministic (docs/DESIGN.md §5, "Monotonic time").
 *
 * <p>Imports nothing of ours: the bottom layer with {@code os}. Not thread-safe: each instance
 * belongs to one loop thread; only {@code Clock.system()} may be read anywhere.
 */
package io.procmaster.time;
