package io.procmaster.helper;

import io.procmaster.helper.process.ProcessHelperLauncher;
import io.procmaster.os.EventLoop;
import io.procmaster.os.NativeIoException;
import io.procmaster.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 *
 * <p>Threads: none per helper or per request; everything runs on the one loop thread.
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
        HelperPool pool = new HelperPool(config, new ProcessHelperLauncher(loop, spec), loop.clock(), loop,
                newSpec -> new ProcessHelperLauncher(loop, newSpec), loop::inLoop);
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
            return pool.nextDeadline().orElse(Long.MAX_VALUE);
        }

        @Override
        public void onDeadline() {
            pool.onTick();
        }
    }
}
