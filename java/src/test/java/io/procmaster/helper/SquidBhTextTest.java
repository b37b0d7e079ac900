package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SquidBhTextTest {
    @Test
    void item3_bhTextIsTheMessage() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).bhRetries(0).build()).start();
        var r = f.submit("KK x");
        f.launcher.helper(0).reply("BH wrong packet type! user=");
        assertThat(r.join().kv()).doesNotContainKey("user").containsEntry("message", "wrong packet type! user=");
    }
}
