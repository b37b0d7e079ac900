package io.procmaster.os;

import io.procmaster.log.Logs;
import io.procmaster.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;

/**
 * The deadline sources of one {@link EventLoop}: the set the loop asks before every wait (how long
 * it may sleep) and after it (which are due), in both of its modes (its own thread, or a
 * {@link LoopDriver}'s caller).
 *
 * <p>Interface: {@link #add}, {@link #remove}, {@link #runDue()} (calls every due source, returns how
 * many), {@link #earliest()} (the earliest deadline, Long.MAX_VALUE for none). All on the loop's
 * owner thread, as everything the loop holds; sources may add or remove sources, themselves
 * included, from their own calls.
 *
 * <p>Why copy on write: changes are rare (a pool starts, a helper handshakes), reads happen twice per
 * iteration, and iterating a snapshot needs no copy and tolerates changes made by the sources called.
 *
 * <p>Failure modes: a source whose {@code onDeadline} throws is logged and the others still run.
 */
final class LoopDeadlines {
    private static final Logger log = Logs.logger(LoopDeadlines.class);

    private final String name;
    private final Clock clock;
    private EventLoop.DeadlineSource[] sources = new EventLoop.DeadlineSource[0];

    LoopDeadlines(String name, Clock clock) {
        this.name = name;
        this.clock = clock;
    }

    void add(EventLoop.DeadlineSource source) {
        EventLoop.DeadlineSource[] d = Arrays.copyOf(sources, sources.length + 1);
        d[d.length - 1] = source;
        sources = d;
    }

    void remove(EventLoop.DeadlineSource source) {
        List<EventLoop.DeadlineSource> d = new ArrayList<>(Arrays.asList(sources));
        if (d.remove(source)) {
            sources = d.toArray(new EventLoop.DeadlineSource[0]);
        }
    }

    /** Calls every source whose deadline has passed; returns how many were called. */
    int runDue() {
        long now = clock.nanoTime();
        int n = 0;
        for (EventLoop.DeadlineSource d : sources) { // a snapshot: sources may be added or removed meanwhile
            long due = d.nextDeadlineNanos();
            if (due != Long.MAX_VALUE && due - now <= 0) {
                n++;
                try {
                    d.onDeadline();
                } catch (Throwable t) {
                    log.error("{}: timer failed: {}", name, t.toString(), t);
                }
            }
        }
        return n;
    }

    /** The earliest deadline on the loop's clock, or Long.MAX_VALUE for none (compared as nanoTime values). */
    long earliest() {
        long now = clock.nanoTime();
        long min = Long.MAX_VALUE;
        for (EventLoop.DeadlineSource d : sources) {
            long due = d.nextDeadlineNanos();
            if (due != Long.MAX_VALUE && (min == Long.MAX_VALUE || due - now < min - now)) {
                min = due;
            }
        }
        return min;
    }
}
