package io.procmaster.loop;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * LoopCommands - how a call from any thread becomes a command on the master's loop thread with a
 * future for its answer (docs/DESIGN.md §4: the loop owns the state, others only queue commands).
 *
 * <p>Interface: {@link #call(Executor, Callable)}. Failure modes: none thrown; the future always
 * completes: with the body's result or what it threw, or, if the loop no longer takes commands
 * (closed), with the {@link RejectedExecutionException}. So every accepted command runs or is
 * rejected, never lost.
 */
final class LoopCommands {

    private LoopCommands() {
    }

    /** Queues {@code body} on {@code loop}; the future completes with its outcome. */
    static <T> CompletableFuture<T> call(Executor loop, Callable<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    f.complete(body.call());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }
}
