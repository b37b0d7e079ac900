package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.os.jni.Native;
import org.junit.jupiter.api.Test;

/**
 * A child whose hand-over to a loop fails ({@link EventLoopCore#watch} on a closed loop) must not
 * be left running and unowned: nobody would reap it, and it would outlive the master. The watch
 * kills and reaps it before it throws.
 */
class WatchFailureTest {

    @Test
    void aChildThatCannotBeWatchedIsKilledAndReaped() throws Exception {
        EventLoopCore core = new EventLoopCore("watch-failure", 16);
        core.close();
        ChildProcess child = Spawner.spawn(SpawnSpec.builder("/bin/sleep").argv("sleep", "60").build());
        try {
            assertThatThrownBy(() -> core.watch(child, 1))
                    .isInstanceOf(NativeIoException.class)
                    .hasMessageContaining("closed");
            ExitStatus exit = child.exitStatus();
            assertThat(exit).as("the child was reaped when the watch failed").isNotNull();
            assertThat(exit.signal()).isEqualTo(Native.SIGKILL);
            assertThat(ProcessHandle.of(child.pid())).as("no process, not even a zombie, is left").isEmpty();
        } finally {
            child.close();
        }
    }
}
