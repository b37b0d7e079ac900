package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The socket-activation variables on plain data (docs/socket-activation.md): what is adopted, ignored, refused. */
class ListenFdsTest {
    private static final long PID = 4242;

    @Test
    void noVariablesMeansNothingAndNoReason() throws IOException {
        ListenFds.Passed p = ListenFds.parse(Map.of("PATH", "/bin"), PID);
        assertThat(p.fds()).isEmpty();
        assertThat(p.ignored()).isNull();
    }

    @Test
    void ourPidGivesDescriptorsFromThreeWithTheirNames() throws IOException {
        ListenFds.Passed p = ListenFds.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "3",
                "LISTEN_FDNAMES", "smtp::submission"), PID);
        assertThat(p.ignored()).isNull();
        assertThat(p.fds()).containsExactly(new ListenFds.PassedFd(3, "smtp"), new ListenFds.PassedFd(4, null),
                new ListenFds.PassedFd(5, "submission"));
    }

    @Test
    void namesAreOptional() throws IOException {
        assertThat(ListenFds.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "2"), PID).fds())
                .containsExactly(new ListenFds.PassedFd(3, null), new ListenFds.PassedFd(4, null));
    }

    @Test
    void zeroDescriptorsIsNone() throws IOException {
        assertThat(ListenFds.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "0"), PID).fds()).isEmpty();
        assertThat(ListenFds.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "0", "LISTEN_FDNAMES", ""), PID).fds())
                .isEmpty();
    }

    @Test
    void anotherProcessesVariablesAreIgnoredWithTheReason() throws IOException {
        ListenFds.Passed p = ListenFds.parse(Map.of("LISTEN_PID", "77", "LISTEN_FDS", "2"), PID);
        assertThat(p.fds()).isEmpty();
        assertThat(p.ignored()).isEqualTo("LISTEN_PID=77 is not this process (pid 4242): LISTEN_FDS=2 is for"
                + " another process; ignored");
        // Even a malformed LISTEN_FDS is none of our business when the variables are another's.
        assertThat(ListenFds.parse(Map.of("LISTEN_PID", "77", "LISTEN_FDS", "x"), PID).fds()).isEmpty();
    }

    @Test
    void fdsWithoutPidIsIgnored() throws IOException {
        ListenFds.Passed p = ListenFds.parse(Map.of("LISTEN_FDS", "1"), PID);
        assertThat(p.fds()).isEmpty();
        assertThat(p.ignored()).contains("LISTEN_PID is not");
    }

    @Test
    void malformedValuesNameTheVariableAndTheValue() {
        for (String bad : List.of("", "-1", "+1", " 1", "1x", "abc", "99999999999999999999", "65537")) {
            assertThatThrownBy(() -> ListenFds.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", bad), PID))
                    .as("LISTEN_FDS=%s", bad).isInstanceOf(IOException.class)
                    .hasMessageContaining("LISTEN_FDS=\"" + bad + "\"");
        }
        assertThatThrownBy(() -> ListenFds.parse(Map.of("LISTEN_PID", "12a", "LISTEN_FDS", "1"), PID))
                .hasMessageContaining("LISTEN_PID=\"12a\": not a decimal number");
        assertThatThrownBy(() -> ListenFds.parse(Map.of("LISTEN_PID", "0", "LISTEN_FDS", "1"), PID))
                .hasMessageContaining("LISTEN_PID=\"0\": not a process id");
    }

    @Test
    void aNameCountOtherThanTheDescriptorCountIsRefused() {
        assertThatThrownBy(() -> ListenFds.parse(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "2",
                "LISTEN_FDNAMES", "a:b:c"), PID))
                .isInstanceOf(IOException.class)
                .hasMessage("socket activation: LISTEN_FDNAMES=\"a:b:c\": 3 name(s) for LISTEN_FDS=2"
                        + " (docs/socket-activation.md)");
    }
}
