package io.procmaster.helper;

import io.procmaster.helper.process.ProcessHelperLauncher;
import io.procmaster.os.EventLoop;
import io.procmaster.os.LoopDriver;
import io.procmaster.os.NativeIoException;
import io.procmaster.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Entry points: a {@link HelperPool} of real helper processes on an {@link EventLoop}.
 *
 * <p>{@link #start(EventLoop, HelperPoolConfig, HelperSpec)} wires a pool onto a running loop: a
 * {@link ProcessHelperLauncher} for the processes, the loop as the pool's executor, and the pool's
 * timers as one of the loop's deadline sources (removed again once the pool has shut down). The pool
 * is started on the loop thread; requests submitted right away queue behind the start. The pool's
 * {@link HelperPool#onLoopClosed()} is the loop's close hook: a loop closed under a pool that was not
 * shut down fails the pool's remaining requests instead of leaving them pending (the hook keeps the
 * pool reachable until the loop closes).
 * {@link #startWithOwnLoop} does the same on a loop of its own, closed with the pool.
 * {@link #startOnCallerLoop} does it on a {@link LoopDriver}: no procmaster thread at all, the
 * caller's own thread drives the pool with {@link LoopDriver#runOnce} (docs/helpers.md "Driving the
 * pool from your own loop").
 *
 * <p>Threads: none per helper or per request; everything runs on the one loop thread (for a
 * {@link Driven} pool: the caller's thread, inside runOnce).
 */
public final class HelperPools {
    private HelperPools() {
    }

    /**
     * Starts a pool on {@code loop} (which must be running). Any thread.
     *
     * @param loop   the loop the pool and its helpers run on
     * @param config the pool's configuration
     * @param spec   the helper program
     * @return the pool, starting its helpers on the loop thread
     */
    public static HelperPool start(EventLoop loop, HelperPoolConfig config, HelperSpec spec) {
        Objects.requireNonNull(loop, "loop");
        return start(loop, config, spec, loop::inLoop);
    }

    private static HelperPool start(EventLoop loop, HelperPoolConfig config, HelperSpec spec,
                                    BooleanSupplier requestWouldWaitForItself) {
        HelperPool pool = new HelperPool(config, new ProcessHelperLauncher(loop, spec), loop.clock(), loop,
                newSpec -> new ProcessHelperLauncher(loop, newSpec), loop::inLoop, requestWouldWaitForItself);
        loop.execute(() -> {
            loop.addDeadlineSource(new PoolTimers(loop, pool));
            // Whatever the pool still holds when the loop ends fails as closed, never stays pending.
            loop.addCloseHook(pool::onLoopClosed);
            pool.start();
        });
        return pool;
    }

    /**
     * Starts a loop thread named after the pool, and the pool on it.
     *
     * @param config the pool's configuration
     * @param spec   the helper program
     * @return the pool with its loop; close it to shut both down
     * @throws NativeIoException when the loop cannot be created (epoll, eventfd)
     */
    public static Running startWithOwnLoop(HelperPoolConfig config, HelperSpec spec) throws NativeIoException {
        EventLoop loop = new EventLoop("helpers-" + config.name());
        loop.start();
        return new Running(loop, start(loop, config, spec));
    }

    /**
     * Starts the pool on a loop with no thread: nothing runs until the caller's thread drives it
     * with {@link Driven#driver()}{@code .runOnce}. The helpers are spawned during the first runOnce;
     * requests may be submitted at once, from any thread, and their futures complete on the driving
     * thread, inside runOnce, exactly as they would on a loop thread.
     *
     * @param config the pool's configuration
     * @param spec   the helper program
     * @return the pool with its driver; close it to shut both down
     * @throws NativeIoException when the loop cannot be created (epoll, eventfd)
     */
    public static Driven startOnCallerLoop(HelperPoolConfig config, HelperSpec spec) throws NativeIoException {
        LoopDriver driver = new LoopDriver("helpers-" + config.name());
        EventLoop loop = driver.loop();
        try {
            // request() on the owner, even between two runOnce calls, would wait for its own runOnce
            return new Driven(driver, start(loop, config, spec,
                    () -> loop.inLoop() || driver.owner() == Thread.currentThread()));
        } catch (RuntimeException e) {
            driver.close();
            throw e;
        }
    }

    /**
     * A pool on a loop its user drives; {@link #close()} shuts both down.
     *
     * <p>Closing, by where it is called: on the driving thread between two runOnce calls (or
     * before the first), close drives the loop itself until the pool's graceful shutdown is over
     * (at most {@code grace} plus the helpers' ends), then closes the loop; on another thread it
     * waits for the shutdown, which the driver's runOnce calls carry out, for at most {@code grace}
     * and a second, then closes the loop (whatever the shutdown has not finished, the loop's close
     * kills, reaps and fails as closed); from inside runOnce (a future's callback) it starts the
     * shutdown and returns at once: the loop closes when the shutdown is over, and runOnce then
     * returns {@link LoopDriver#CLOSED}.
     */
    public static final class Driven implements AutoCloseable {
        private final LoopDriver driver;
        private final HelperPool pool;

        private Driven(LoopDriver driver, HelperPool pool) {
            this.driver = driver;
            this.pool = pool;
        }

        /** @return the pool (any thread may submit) */
        public HelperPool pool() {
            return pool;
        }

        /** @return what the caller's thread drives the pool with: runOnce, the descriptor, the next deadline */
        public LoopDriver driver() {
            return driver;
        }

        /**
         * Shuts the pool down, giving queued and in-flight requests up to {@code grace}, then closes
         * the loop; where it may be called, see the class comment.
         *
         * @param grace how long queued and in-flight requests may still be answered
         */
        public void close(Duration grace) {
            CompletableFuture<Void> done = pool.shutdown(grace);
            if (driver.loop().inLoop()) {
                done.whenComplete((v, e) -> driver.close()); // inside runOnce: it cannot drive itself
                return;
            }
            try {
                Thread owner = driver.owner();
                if (owner == null || owner == Thread.currentThread()) {
                    driveUntil(done, System.nanoTime() + grace.toNanos() + TimeUnit.SECONDS.toNanos(30));
                } else {
                    done.get(grace.toMillis() + 1000, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | IllegalStateException e) {
                // another thread began driving meanwhile, or the shutdown did not finish: the close kills the rest
            } finally {
                driver.close();
            }
        }

        private void driveUntil(CompletableFuture<Void> done, long deadlineNanos) {
            while (!done.isDone()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                if (left <= 0 || driver.runOnce(Math.min(left, 100)) == LoopDriver.CLOSED) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            close(Duration.ofSeconds(5));
        }
    }

    /** A pool with its own loop; {@link #close()} shuts both down. */
    public static final class Running implements AutoCloseable {
        private final EventLoop loop;
        private final HelperPool pool;

        private Running(EventLoop loop, HelperPool pool) {
            this.loop = loop;
            this.pool = pool;
        }

        /** @return the pool */
        public HelperPool pool() {
            return pool;
        }

        /** @return the loop thread the pool runs on (closed by {@link #close()}) */
        public EventLoop loop() {
            return loop;
        }

        /**
         * Shuts the pool down, waiting up to {@code grace} for in-flight requests, then stops the loop.
         *
         * @param grace how long queued and in-flight requests may still be answered
         */
        public void close(Duration grace) {
            try {
                pool.shutdown(grace).get(grace.toMillis() + 30_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // the loop's close kills and reaps whatever is left
            } finally {
                loop.close();
            }
        }

        @Override
        public void close() {
            close(Duration.ofSeconds(5));
        }
    }

    /** The pool's timers as a loop deadline source (both on the loop's clock). */
    private static final class PoolTimers implements EventLoop.DeadlineSource {
        private final EventLoop loop;
        private final HelperPool pool;
        private boolean removing;

        PoolTimers(EventLoop loop, HelperPool pool) {
            this.loop = loop;
            this.pool = pool;
        }

        @Override
        public long nextDeadlineNanos() {
            if (pool.isShutDown() && !removing) {
                removing = true;
                // Directly: the loop iterates a snapshot of its sources. Not through execute(), which
                // throws once the loop is stopping (a pool shut down just before its loop closes).
                loop.removeDeadlineSource(this);
            }
            return pool.nextDeadlineNanos(); // no OptionalLong per wake-up (BENCHMARKS.md §5)
        }

        @Override
        public void onDeadline() {
            pool.onTick();
        }
    }
}
