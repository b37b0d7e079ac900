package io.procmaster.os.jni;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.os.Errno;
import io.procmaster.os.StatusFlags;
import org.junit.jupiter.api.Test;

class NativeAvailabilityTest {
    @Test
    void libraryLoadsFromTheClassPathAndAnswers() {
        assertThat(Native.unavailabilityCause()).isNull();
        assertThat(Native.isAvailable()).isTrue();
        assertThat(Native.nop(41)).isEqualTo(41);
        assertThat(Native.EVENT_SIZE).isPositive();
        assertThat(StatusFlags.recordSize()).isEqualTo(12);
        assertThat(Errno.text(2)).isEqualTo("No such file or directory");
    }

    @Test
    void testsRunUnderCheckJni() {
        // ci/test.sh fails the build on any -Xcheck:jni report; this makes sure the check is on.
        assertThat(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
                .contains("-Xcheck:jni");
    }

    @Test
    void noexecDetectionFindsTheCoveringMount() {
        java.util.List<String> mountinfo = java.util.List.of(
                "21 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw",
                "30 21 0:26 / /tmp rw,nosuid,nodev,noexec shared:5 - tmpfs tmpfs rw",
                "31 30 0:27 / /tmp/exec rw,nosuid shared:6 - tmpfs tmpfs rw");
        assertThat(NoexecMount.isNoexec("/tmp/work", mountinfo)).isTrue();
        assertThat(NoexecMount.isNoexec("/tmp", mountinfo)).isTrue();
        assertThat(NoexecMount.isNoexec("/tmp/exec/lib", mountinfo)).isFalse();
        assertThat(NoexecMount.isNoexec("/tmpfoo", mountinfo)).isFalse();
        assertThat(NoexecMount.isNoexec("/home/x", mountinfo)).isFalse();
    }
}
