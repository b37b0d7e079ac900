package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one exception type: each nested subclass reports its own kind, and a start failure keeps its errno and stage. */
class HelperExceptionTest {
    @Test
    void everyNestedKindReportsItsKind() {
        List<HelperException> all = List.of(new HelperException.Timeout("t"), new HelperException.Overload("o"),
                new HelperException.Unavailable("u"), new HelperException.Died("d"), new HelperException.ReplyTooLong("r"),
                new HelperException.Closed("c"), new HelperException.InvalidRequest("i"), new HelperException.Reservation("v"),
                new HelperException.Start("s"), new HelperException("x", new IllegalStateException()));
        Set<HelperException.Kind> seen = EnumSet.noneOf(HelperException.Kind.class);
        for (HelperException e : all) seen.add(e.kind());
        assertThat(seen).as("one distinct kind per subclass").containsExactlyInAnyOrder(HelperException.Kind.values());
        assertThat(new HelperException.Timeout("t").kind()).isEqualTo(HelperException.Kind.TIMEOUT);
        assertThat(new HelperException.Closed("c").kind()).isEqualTo(HelperException.Kind.CLOSED);
        assertThat(new HelperException("x", null).kind()).isEqualTo(HelperException.Kind.INTERNAL);
    }

    @Test
    void startFailureKeepsErrnoStageAndCause() {
        IllegalStateException cause = new IllegalStateException("exec");
        HelperException.Start e = new HelperException.Start("cannot run", 2, "exec", cause);
        assertThat(e.errno()).isEqualTo(2);
        assertThat(e.stage()).isEqualTo("exec");
        assertThat(e).hasCause(cause).hasMessage("cannot run");
        assertThat(new HelperException.Start("no details").errno()).isEqualTo(-1);
        assertThat(new HelperException.Start("no details").stage()).isNull();
    }

    @Test
    void aTimedOutPoolRequestFailsWithKindTimeout() {
        PoolFixture f = new PoolFixture(PoolFixture.config().children(1).startup(1)
                .requestTimeout(java.time.Duration.ofSeconds(2)).build()).start();
        var reply = f.submit("slow");
        f.advance(java.time.Duration.ofSeconds(3));
        assertThat(PoolFixture.failure(reply)).isInstanceOf(HelperException.Timeout.class)
                .extracting(t -> ((HelperException) t).kind()).isEqualTo(HelperException.Kind.TIMEOUT);
    }
}
