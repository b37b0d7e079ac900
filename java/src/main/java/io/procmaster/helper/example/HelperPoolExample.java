package io.procmaster.helper.example;

import io.procmaster.helper.ChannelIdDialect;
import io.procmaster.helper.HelperChannelType;
import io.procmaster.helper.HelperPool;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperPoolStats;
import io.procmaster.helper.HelperPools;
import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A pool of two shell helpers ({@code examples/helpers/upper.sh}) at concurrency 4, each saying hello
 * before it is used; a few requests, their replies in submission order, the pool's counters.
 *
 * <p>Usage: {@code HelperPoolExample [helper-script] [word ...]}.
 */
public final class HelperPoolExample {
    private HelperPoolExample() {
    }

    public static void main(String[] args) throws Exception {
        String script = args.length > 0 ? args[0] : "examples/helpers/upper.sh";
        List<String> words = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of("hello", "helper", "pool", "bad", "procmaster", "bye");

        try (HelperPools.Running running = HelperPools.startWithOwnLoop(config(), spec(script))) {
            HelperPool pool = running.pool();
            List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
            for (String w : words) replies.add(pool.submit(w));
            for (int i = 0; i < words.size(); i++) {
                HelperReply r = replies.get(i).get(15, TimeUnit.SECONDS);
                System.out.println(words.get(i) + " -> " + r.status() + (r.text().isEmpty() ? "" : " " + r.text()));
            }
            HelperPoolStats s = pool.statsAsync().get(10, TimeUnit.SECONDS);
            System.out.println("helpers running: " + s.running() + ", requests: " + s.submitted() + ", replies: "
                    + s.replies() + ", deaths: " + s.deaths());
        }
        System.out.println("pool shut down");
    }

    /** The helper: {@code script} under /bin/sh, saying {@code ready} before it is used. */
    static HelperSpec spec(String script) {
        return HelperSpec.builder("upper", "/bin/sh")
                .args(Path.of(script).toAbsolutePath().toString())
                .channelType(HelperChannelType.STREAM)
                .hello("ready")
                .handshakeTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The pool: two helpers at concurrency 4 with channel ids. */
    static HelperPoolConfig config() {
        return HelperPoolConfig.builder("upper")
                .children(2).startup(2).concurrency(4).channelIdDialect(ChannelIdDialect.MONOTONIC)
                .requestTimeout(Duration.ofSeconds(10))
                .build();
    }
}
