package io.procmaster.helper.example;

import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperPoolStats;
import io.procmaster.helper.HelperPools;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperSpec;
import io.procmaster.os.LoopDriver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The pool of {@link HelperPoolExample} on the application's own loop, with no procmaster thread:
 * one plain thread, the "user loop", has work of its own (a tick every 100 ms) and drives the pool
 * between ticks with {@link LoopDriver#runOnce}, waiting at most until whichever comes first, its
 * own next tick or the pool's next deadline. Each reply's callback runs on that thread, inside
 * runOnce, and submits the next word: requests one after another, with no blocking wait anywhere.
 * (docs/helpers.md "Driving the pool from your own loop".)
 *
 * <p>Usage: {@code UserLoopHelperExample [helper-script] [word ...]}. Failure modes: a helper that
 * cannot start fails the requests (printed as the exception), the loop still ends and closes the pool.
 */
public final class UserLoopHelperExample {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private UserLoopHelperExample() {
    }

    public static void main(String[] args) throws Exception {
        String script = args.length > 0 ? args[0] : "examples/helpers/upper.sh";
        List<String> words = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of("hello", "own", "loop", "bad", "procmaster", "bye");
        HelperPoolConfig config = HelperPoolExample.config();
        HelperSpec spec = HelperPoolExample.spec(script);
        Thread userLoop = new Thread(() -> run(config, spec, words), "user-loop");
        userLoop.start();
        userLoop.join();
    }

    /** The user's loop: its own ticks, and the pool in between. */
    private static void run(HelperPoolConfig config, HelperSpec spec, List<String> words) {
        try (HelperPools.Driven driven = HelperPools.startOnCallerLoop(config, spec)) {
            LoopDriver driver = driven.driver();
            CompletableFuture<Void> allAnswered = new CompletableFuture<>();
            submitFrom(driven, words, 0, allAnswered);
            long nextTick = System.nanoTime() + TICK_NANOS;
            while (!allAnswered.isDone()) {
                long ownWait = Math.max(0, TimeUnit.NANOSECONDS.toMillis(nextTick - System.nanoTime()));
                long poolWait = driver.millisUntilNextDeadline(); // -1: the pool has no timer armed
                driver.runOnce(poolWait < 0 ? ownWait : Math.min(ownWait, poolWait));
                if (System.nanoTime() - nextTick >= 0) {
                    // the application's own periodic work would go here
                    nextTick += TICK_NANOS;
                }
            }
            CompletableFuture<HelperPoolStats> stats = driven.pool().statsAsync();
            while (!stats.isDone()) {
                driver.runOnce(100);
            }
            HelperPoolStats s = stats.join();
            System.out.println("helpers running: " + s.running() + ", requests: " + s.submitted() + ", replies: "
                    + s.replies() + ", deaths: " + s.deaths());
            System.out.println("procmaster threads: " + Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("procmaster") || t.getName().startsWith("helpers-")).count());
        } catch (Exception e) {
            System.out.println("the pool could not start: " + e);
            return;
        }
        System.out.println("pool shut down");
    }

    /** Submits words[i]; its callback (on the user loop, inside runOnce) prints the reply and submits the next. */
    private static void submitFrom(HelperPools.Driven driven, List<String> words, int i, CompletableFuture<Void> done) {
        if (i == words.size()) {
            done.complete(null);
            return;
        }
        String w = words.get(i);
        driven.pool().submit(w).whenComplete((HelperReply r, Throwable e) -> {
            System.out.println(w + " -> " + (e != null ? e.toString()
                    : r.status() + (r.text().isEmpty() ? "" : " " + r.text())));
            submitFrom(driven, words, i + 1, done);
        });
    }
}
