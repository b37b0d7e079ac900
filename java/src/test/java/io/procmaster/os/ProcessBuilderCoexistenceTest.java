package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.ProcSelf;
import io.procmaster.testing.TestBin;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * procmaster reaps only its own children through their pidfds: ProcessBuilder children started
 * in the same JVM at the same time keep their exit codes.
 */
class ProcessBuilderCoexistenceTest {

    @Test
    void processBuilderChildrenKeepTheirExitCodes() throws Exception {
        String exit0 = TestBin.path("pm-exit0");
        AtomicInteger reaped = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread churn = new Thread(() -> {
            try (EventLoopCore loop = new EventLoopCore(64)) {
                SpawnSpec spec = SpawnSpec.builder(exit0).build();
                java.util.Map<Integer, ChildProcess> live = new java.util.HashMap<>();
                int started = 0;
                EventSink sink = new EventSink() {
                    @Override
                    public void onExit(int pidfd, int tag, ExitStatus st) {
                        loop.exited(live.remove(tag), st);
                        if (!st.success()) {
                            failure.compareAndSet(null, new AssertionError("procmaster child: " + st));
                        }
                        reaped.incrementAndGet();
                    }
                };
                while (reaped.get() < 500) {
                    if (started < 500 && started - reaped.get() < 20) {
                        ChildProcess c = Spawner.spawn(spec);
                        live.put(started, c);
                        loop.watch(c, started++);
                    }
                    loop.poll(started < 500 ? 0 : 100, sink);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "procmaster-churn");
        churn.start();

        List<Process> pb = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pb.add(new ProcessBuilder("/bin/sh", "-c", "exit 7").start());
        }
        for (Process p : pb) {
            assertThat(p.waitFor()).isEqualTo(7);
            assertThat(p.exitValue()).isEqualTo(7);
        }
        churn.join(120_000);
        assertThat(failure.get()).isNull();
        assertThat(reaped.get()).isEqualTo(500);
        assertThat(ProcSelf.zombies()).isEmpty();
    }
}
