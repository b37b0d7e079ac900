package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 12, finding 8: Squid 5.7's Enqueue (helper.cc) warns "All N/M processes are busy"
 * only when no helper can be started ({@code childs.needNew() == 0}); while {@code children} has room
 * it starts helpers instead and says nothing. A start deferred by the restart backoff is such room:
 * no overload warning then. docs/helpers.md "Overload".
 */
class SquidOverloadWarningTest {

    @Test
    void noOverloadWarningWhileTheRestartBackoffOnlyDefersAStart() {
        PoolFixture f = new PoolFixture(HelperPoolConfig.builder("warn-backoff").children(2).startup(1).idle(1).queueLimit(2)
                .restartBackoff(Duration.ofSeconds(10), Duration.ofSeconds(10)).build()).start();
        f.launcher.helper(0).crash(); // a death: the next start waits 10 s
        f.run();
        List<CompletableFuture<HelperReply>> replies = new ArrayList<>();
        for (int i = 0; i < 5; i++) replies.add(f.submit("r" + i)); // queued past its limit, no helper yet
        assertThat(f.stats().queueLength()).isEqualTo(5);
        assertThat(f.stats().overloadWarnings()).as("children has room: Squid starts helpers, it does not warn").isZero();

        f.launcher.onStart = h -> h.responder = FakeHelper.okClassic();
        f.advance(Duration.ofSeconds(10));
        for (int i = 0; i < 5; i++) assertThat(replies.get(i).join().text()).isEqualTo("echo=r" + i);
        f.assertEveryRequestCompletedExactlyOnce();
    }

    @Test
    void theWarningStillComesOnceEveryChildIsRunningAndBusy() {
        PoolFixture f = new PoolFixture(HelperPoolConfig.builder("warn-full").children(2).queueLimit(2).build()).start();
        for (int i = 0; i < 4; i++) f.submit("r" + i); // 2 in flight, 2 queued: at the limit
        assertThat(f.stats().running()).isEqualTo(2);
        assertThat(f.stats().overloadWarnings()).isEqualTo(1);
    }
}
