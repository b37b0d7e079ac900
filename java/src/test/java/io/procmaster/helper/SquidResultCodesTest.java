package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SquidResultCodesTest {
    @Test
    void item2_ttAfNaAreReadAsSquidReadsThem() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        var tt = f.submit("YR");
        f.launcher.helper(0).reply("TT TlRMTVNTUAACAAAA");
        var af = f.submit("KK a");
        f.launcher.helper(0).reply("AF WORKGROUP\\alice");
        var na = f.submit("KK b");
        f.launcher.helper(0).reply("NA invalid credentials, user=WORKGROUP\\bob");
        assertThat(tt.join().status().name()).isEqualTo("TT");
        assertThat(af.join().status().name()).isEqualTo("OK");
        assertThat(af.join().kv()).containsEntry("user", "WORKGROUP\\alice");
        assertThat(na.join().status().name()).isEqualTo("ERR");
        assertThat(na.join().kv()).containsEntry("message", "invalid credentials, user=WORKGROUP\\bob");
    }
}
