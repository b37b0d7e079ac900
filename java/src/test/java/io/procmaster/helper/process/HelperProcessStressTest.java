package io.procmaster.helper.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.HelperChannelType;
import io.procmaster.helper.HelperExit;
import io.procmaster.helper.HelperSpec;
import io.procmaster.os.EventLoop;
import io.procmaster.testing.ProcSelf;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Scenario 31: 1 000 helper start/kill cycles leave descriptors, zombies and threads at baseline. */
class HelperProcessStressTest {
    @Test
    void scenario31_thousandStartKillCyclesLeaveNothingBehind() throws Exception {
        EventLoop loop = new EventLoop("helper-stress");
        loop.start();
        int fds = ProcSelf.fdCount();
        int threads = ProcSelf.threadCount();
        HelperChannelType[] types = HelperChannelType.values();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < 1000; i++) {
                HelperSpec spec = HelperSpec.builder("cycle", "/bin/cat").channelType(types[i % types.length]).build();
                LineCollector c = new LineCollector();
                HelperProcess h = HelperProcess.create(loop, spec, c);
                h.kill();
                assertThat(h.exitFuture().get(20, TimeUnit.SECONDS)).isEqualTo(HelperExit.killed(9));
                assertThat(c.exits).isEqualTo(1);
            }
            HelperTesting.assertNoLeaks(fds, threads);
            assertThat(loop.watchedChildren()).isZero();
        } finally {
            loop.close();
        }
        System.out.printf("scenario31: 1000 start/kill cycles in %d ms; fds %d -> %d, threads %d -> %d, zombies %s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), fds, ProcSelf.fdCount(), threads,
                ProcSelf.threadCount(), ProcSelf.zombies());
    }
}
