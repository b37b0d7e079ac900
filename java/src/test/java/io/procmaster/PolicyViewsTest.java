package io.procmaster;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.loop.MasterLoop;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The facade's copies of the policy's answers ({@link PolicyViews}) keep every field and the text
 * the control socket prints: each component of the policy's record has a same-named component in
 * the facade's, with the same value, so a field added on one side only fails here.
 */
class PolicyViewsTest {

    @Test
    void statusCopiesEveryComponentByName() throws Exception {
        long[] n = new long[21];
        for (int i = 0; i < n.length; i++) {
            n[i] = 100 + i; // a distinct value per counter, so a swapped pair shows
        }
        var counts = new io.procmaster.policy.ServiceStatus.Counts(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7],
                n[8], n[9], n[10], n[11], n[12], n[13], n[14], n[15], n[16], n[17], n[18], n[19], n[20]);
        var internal = new io.procmaster.policy.ServiceStatus("127.0.0.1:25", "smtp", 7, 5, 3, 2, true, true,
                123_456L, Duration.ofMillis(1500), 4, true, Duration.ofSeconds(9), true, true, 11L, counts);

        ServiceStatus facade = PolicyViews.status(internal);

        assertSameComponents(internal, facade);
        assertSameComponents(internal.counts(), facade.counts());
        assertThat(facade.spawns()).isEqualTo(100);
        assertThat(facade.counts().killsAfterDrain()).isEqualTo(120);
    }

    @Test
    void reloadKeepsSummaryWarningsAndTheControlSocketText() {
        var summary = new io.procmaster.policy.ReloadSummary(List.of("a"), List.of("b", "c"), List.of("d"),
                List.of("e"));
        ReloadResult r = PolicyViews.reload(new MasterLoop.ReloadResult(summary, List.of("unused parameter: x=1")));

        assertThat(r.summary().added()).containsExactly("a");
        assertThat(r.summary().restarted()).containsExactly("b", "c");
        assertThat(r.summary().removing()).containsExactly("d");
        assertThat(r.summary().rejected()).containsExactly("e");
        assertThat(r.warnings()).containsExactly("unused parameter: x=1");
        // "ok <summary>" is the reload answer on the control socket (cli.MasterCommands): unchanged text.
        assertThat(r.summary().toString()).isEqualTo(summary.toString());
    }

    private static void assertSameComponents(Record internal, Record facade) throws Exception {
        RecordComponent[] in = internal.getClass().getRecordComponents();
        RecordComponent[] out = facade.getClass().getRecordComponents();
        assertThat(Arrays.stream(out).map(RecordComponent::getName))
                .containsExactlyElementsOf(Arrays.stream(in).map(RecordComponent::getName).toList());
        for (int i = 0; i < in.length; i++) {
            Object a = in[i].getAccessor().invoke(internal);
            Object b = out[i].getAccessor().invoke(facade);
            if (a instanceof Record) {
                assertThat(b).as(in[i].getName()).isInstanceOf(Record.class);
                continue; // nested records are compared by their own call
            }
            assertThat(b).as(in[i].getName()).isEqualTo(a);
        }
    }
}
