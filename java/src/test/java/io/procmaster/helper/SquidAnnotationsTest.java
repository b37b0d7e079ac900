package io.procmaster.helper;

import static io.procmaster.helper.PoolFixture.config;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SquidAnnotationsTest {
    @Test
    void item1_annotationsStopAtTheFirstWordThatIsNotKeyValue() {
        PoolFixture f = new PoolFixture(config().children(1).startup(1).build()).start();
        var r = f.submit("http://x/ 127.0.0.1/127.0.0.1 - GET myip=127.0.0.1 myport=3128");
        f.launcher.helper(0).reply("OK store-id=http://x 127.0.0.1/127.0.0.1 - GET myip=127.0.0.1 myport=3128");
        assertThat(r.join().kv()).containsOnlyKeys("store-id");
    }
}
