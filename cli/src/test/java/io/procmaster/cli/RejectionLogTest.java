package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/** The suppressed count of a flood that stops is logged too: by the periodic flush, or at close. */
class RejectionLogTest {
    /** A logger that keeps each warning, formatted. */
    private static Logger recording(List<String> warnings) {
        return (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("warn") && args != null && args[0] instanceof String f) {
                        Object[] rest = Arrays.copyOfRange(args, 1, args.length);
                        if (rest.length == 1 && rest[0] instanceof Object[] varargs) {
                            rest = varargs;
                        }
                        warnings.add(MessageFormatter.arrayFormat(f, rest).getMessage());
                    }
                    return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
                });
    }

    @Test
    void aFloodThatStopsStillHasItsSuppressedCountLogged() {
        List<String> warnings = new ArrayList<>();
        AtomicLong now = new AtomicLong(0);
        RejectionLog r = new RejectionLog(recording(warnings), Duration.ofSeconds(10), now::get);
        for (int i = 0; i < 100; i++) {
            r.warn("silent", "silent client " + i);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(10)); // 100 in 1 s, then nothing more
        }
        assertThat(warnings).containsExactly("silent client 0");
        assertThat(r.nextFlushNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(10));
        now.set(TimeUnit.SECONDS.toNanos(5));
        r.flushDue();
        assertThat(warnings).as("not before the interval is over").hasSize(1);
        now.set(TimeUnit.SECONDS.toNanos(10));
        r.flushDue();
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(1)).isEqualTo("silent client 99 (99 like it suppressed)");
        r.flushDue();
        assertThat(warnings).as("nothing left to report").hasSize(2);
        assertThat(r.nextFlushNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(r.count("silent")).isEqualTo(100);
    }

    @Test
    void closeReportsWhatIsStillSuppressed() {
        List<String> warnings = new ArrayList<>();
        AtomicLong now = new AtomicLong(0);
        RejectionLog r = new RejectionLog(recording(warnings), Duration.ofSeconds(10), now::get);
        r.warn("refused", "refused uid 7");
        r.warn("refused", "refused uid 8");
        r.flushAll();
        assertThat(warnings).containsExactly("refused uid 7", "refused uid 8 (1 like it suppressed)");
    }
}
