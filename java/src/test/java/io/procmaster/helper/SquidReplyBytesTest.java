package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SquidReplyBytesTest {
    @Test
    void item4_latin1UserReachesTheCallerIntact() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        var r = f.submit("KK x");
        f.launcher.helper(0).sendBytes("AF WORKGROUP\\j\u00f6rg\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(r.join().text()).isEqualTo("WORKGROUP\\j\u00f6rg");
    }
}
