package io.procmaster.helper;

import io.procmaster.helper.process.HelperChannel;
import io.procmaster.helper.process.HelperEventSink;
import io.procmaster.helper.process.HelperLauncher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Starts {@link FakeHelper}s, or fails like an exec error. Events the helpers produce (replies,
 * ends) wait in {@link #events} until {@link #run()}: the test is the event loop.
 */
final class FakeLauncher implements HelperLauncher {
    final List<FakeHelper> started = new ArrayList<>();
    final ArrayDeque<Runnable> events = new ArrayDeque<>();
    Consumer<FakeHelper> onStart = h -> { };
    int failNext;
    boolean failAll;
    int attempts;
    private long nextPid = 1000;

    @Override
    public HelperChannel start(long helperId, HelperEventSink sink) throws HelperException.Start {
        attempts++;
        if (failAll || failNext > 0) {
            if (failNext > 0) failNext--;
            throw new HelperException.Start("exec /usr/lib/helper: No such file or directory", 2, "exec", null);
        }
        FakeHelper h = new FakeHelper(this, helperId, nextPid++, sink);
        started.add(h);
        onStart.accept(h);
        return h;
    }

    /** Delivers pending events, including those they cause. */
    void run() {
        Runnable r;
        int guard = 0;
        while ((r = events.pollFirst()) != null) {
            r.run();
            if (++guard > 1_000_000) throw new AssertionError("event storm");
        }
    }

    FakeHelper helper(int index) {
        return started.get(index);
    }

    FakeHelper last() {
        return started.get(started.size() - 1);
    }

    List<FakeHelper> alive() {
        return started.stream().filter(h -> !h.ended).toList();
    }
}
