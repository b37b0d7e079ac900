package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.config.MasterCfParser;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceTable;
import io.procmaster.os.SocketInfo;
import io.procmaster.os.SocketInfo.Family;
import io.procmaster.os.SocketInfo.Kind;
import io.procmaster.os.SocketInfo.Type;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The matching rules of socket activation on plain data (no descriptor, no process): which adopted
 * descriptor a service takes, by address or by name, and which are refused and how the refusal reads.
 */
class SocketMatchTest {
    private static final String WHERE = "/etc/master.cf:3 service \"x\" (inet)";

    private static ServiceTable table(String masterCf, String... params) throws Exception {
        Map<String, String> m = new java.util.HashMap<>(Map.of("queue_directory", "/q", "services_file", ""));
        for (String p : params) {
            m.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
        }
        return new MasterCfParser(MasterConfig.of(m)).parse("/etc/master.cf", masterCf);
    }

    private static ServiceSpec spec(String line, String... params) throws Exception {
        return table(line + "\n", params).services().iterator().next();
    }

    private static SocketMatch.Candidate tcp(int fd, String name, String address, int port) {
        Family f = address.indexOf(':') >= 0 ? Family.INET6 : Family.INET;
        return new SocketMatch.Candidate(fd, name, new SocketInfo(Kind.SOCKET, f, Type.STREAM, true, address, port));
    }

    private static SocketMatch.Candidate unix(int fd, String name, Type type, boolean listening, String path) {
        return new SocketMatch.Candidate(fd, name, new SocketInfo(Kind.SOCKET, Family.UNIX, type, listening, path, 0));
    }

    @Test
    void anInetEndpointTakesTheListenerOnItsAddressAndPort() throws Exception {
        ServiceSpec s = spec("127.0.0.1:2525 inet n - n - 2 pm-echo");
        SocketMatch.Candidate right = tcp(4, null, "127.0.0.1", 2525);
        Map<Integer, SocketMatch.Candidate> m = SocketMatch.match(s, WHERE,
                List.of(tcp(3, null, "127.0.0.1", 2526), right, tcp(5, null, "127.0.0.2", 2525), tcp(6, null, "0.0.0.0", 2525)));
        assertThat(m).containsOnlyKeys(0).containsEntry(0, right);
    }

    @Test
    void theWildcardEndpointTakesEitherWildcardSocketButNoSpecificAddress() throws Exception {
        ServiceSpec s = spec("2525 inet n - n - 2 pm-echo", "inet_interfaces=all");
        assertThat(s.listenEndpoints()).hasSize(1);
        assertThat(s.listenEndpoints().get(0).isWildcard()).isTrue();
        assertThat(SocketMatch.match(s, WHERE, List.of(tcp(3, null, "0.0.0.0", 2525)))).containsKey(0);
        assertThat(SocketMatch.match(s, WHERE, List.of(tcp(3, null, "::", 2525)))).containsKey(0);
        assertThat(SocketMatch.match(s, WHERE, List.of(tcp(3, null, "127.0.0.1", 2525)))).isEmpty();
    }

    @Test
    void ipv6IsComparedAsAnAddressAndIpv4MappedIsItsIpv4() throws Exception {
        ServiceSpec v6 = spec("[::1]:2525 inet n - n - 2 pm-echo");
        assertThat(SocketMatch.match(v6, WHERE, List.of(tcp(3, null, "0:0:0:0:0:0:0:1", 2525)))).containsKey(0);
        assertThat(SocketMatch.match(v6, WHERE, List.of(tcp(3, null, "127.0.0.1", 2525)))).isEmpty();
        ServiceSpec v4 = spec("127.0.0.1:2525 inet n - n - 2 pm-echo");
        assertThat(SocketMatch.match(v4, WHERE, List.of(tcp(3, null, "::ffff:127.0.0.1", 2525)))).containsKey(0);
    }

    @Test
    void eachEndpointIsASlotInOrderAndAnUnmatchedOneIsLeftToBind() throws Exception {
        ServiceSpec s = spec("2525 inet n - n - 2 pm-echo", "inet_interfaces=127.0.0.1, ::1");
        assertThat(s.listenEndpoints()).hasSize(2);
        int v6 = s.listenEndpoints().get(0).isIpv6() ? 0 : 1;
        Map<Integer, SocketMatch.Candidate> m = SocketMatch.match(s, WHERE, List.of(tcp(3, null, "::1", 2525)));
        assertThat(m).containsOnlyKeys(v6);
    }

    @Test
    void theNameMatchesTheServicesField1() throws Exception {
        ServiceSpec s = spec("smtp inet n - n - 2 pm-echo", "inet_interfaces=127.0.0.1");
        // smtp is port 25 (the built-in table, services_file empty)
        int port = s.listenEndpoints().get(0).port();
        assertThat(SocketMatch.match(s, WHERE, List.of(tcp(3, "smtp", "127.0.0.1", port)))).containsKey(0);
        assertThat(SocketMatch.match(s, WHERE, List.of(tcp(3, "submission", "127.0.0.2", port)))).isEmpty();
    }

    @Test
    void aNamedDescriptorOnAnotherPortIsRefused() throws Exception {
        // A host:port name cannot be an fd name (LISTEN_FDNAMES is colon-separated): a port-only one can.
        ServiceSpec s = spec("2525 inet n - n - 2 pm-echo", "inet_interfaces=127.0.0.1");
        assertThatThrownBy(() -> SocketMatch.match(s, WHERE, List.of(tcp(3, "2525", "127.0.0.1", 2600))))
                .isInstanceOf(IOException.class).hasMessage("socket activation: fd 3 (LISTEN_FDNAMES name \"2525\")"
                        + " is a listening TCP socket on 127.0.0.1:2600 (named after the service), but " + WHERE
                        + " wants a listening TCP socket on 127.0.0.1:2525 (docs/socket-activation.md)");
        ServiceSpec named = spec("echo unix n - n - 2 pm-echo");
        assertThatThrownBy(() -> SocketMatch.match(named, WHERE, List.of(tcp(7, "echo", "127.0.0.1", 2600))))
                .hasMessageContaining("fd 7 (LISTEN_FDNAMES name \"echo\") is a listening TCP socket on 127.0.0.1:2600"
                        + " (named after the service), but " + WHERE + " wants a listening unix stream socket at"
                        + " /q/public/echo");
    }

    @Test
    void aDatagramSocketOnAnInetServicesAddressIsRefused() throws Exception {
        ServiceSpec s = spec("127.0.0.1:2525 inet n - n - 2 pm-echo");
        SocketMatch.Candidate udp = new SocketMatch.Candidate(3, null,
                new SocketInfo(Kind.SOCKET, Family.INET, Type.DGRAM, false, "127.0.0.1", 2525));
        assertThatThrownBy(() -> SocketMatch.match(s, WHERE, List.of(udp)))
                .hasMessage("socket activation: fd 3 (no LISTEN_FDNAMES name) is a UDP socket on 127.0.0.1:2525 (bound to"
                        + " its address), but " + WHERE + " wants a listening TCP socket on 127.0.0.1:2525"
                        + " (docs/socket-activation.md)");
    }

    @Test
    void aStreamSocketThatDoesNotListenIsRefused() throws Exception {
        ServiceSpec s = spec("127.0.0.1:2525 inet n - n - 2 pm-echo");
        SocketMatch.Candidate c = new SocketMatch.Candidate(3, null,
                new SocketInfo(Kind.SOCKET, Family.INET, Type.STREAM, false, "127.0.0.1", 2525));
        assertThatThrownBy(() -> SocketMatch.match(s, WHERE, List.of(c)))
                .hasMessageContaining("is a TCP socket on 127.0.0.1:2525 (not listening)");
    }

    @Test
    void twoDescriptorsForOneAddressAreRefused() throws Exception {
        ServiceSpec s = spec("127.0.0.1:2525 inet n - n - 2 pm-echo");
        assertThatThrownBy(() -> SocketMatch.match(s, WHERE,
                List.of(tcp(3, null, "127.0.0.1", 2525), tcp(4, "127.0.0.1:2525", "127.0.0.1", 2525))))
                .hasMessageContaining("fd 4 ").hasMessageContaining("already has fd 3 (no LISTEN_FDNAMES name)");
    }

    @Test
    void unixServicesMatchTheirPathAndTheirKind() throws Exception {
        ServiceSpec stream = spec("echo unix n - n - 2 pm-echo");
        ServiceSpec priv = spec("ticker unix - - n - 2 pm-echo");
        ServiceSpec dgram = spec("dg unix-dgram n - n - 2 pm-echo");
        ServiceSpec fifo = spec("pickup fifo n - n - 1 pm-echo");
        assertThat(SocketMatch.match(stream, WHERE, List.of(unix(3, null, Type.STREAM, true, "/q/public/echo"),
                unix(4, null, Type.STREAM, true, "/q/private/echo")))).containsOnlyKeys(0);
        assertThat(SocketMatch.match(priv, WHERE, List.of(unix(3, null, Type.STREAM, true, "/q/private/ticker"))))
                .containsOnlyKeys(0);
        assertThat(SocketMatch.match(dgram, WHERE, List.of(unix(3, null, Type.DGRAM, false, "/q/public/dg"))))
                .containsOnlyKeys(0);
        SocketMatch.Candidate aFifo = new SocketMatch.Candidate(3, null,
                new SocketInfo(Kind.FIFO, Family.OTHER, Type.OTHER, false, "/q/public/pickup", 0));
        assertThat(SocketMatch.match(fifo, WHERE, List.of(aFifo))).containsOnlyKeys(0);
        assertThatThrownBy(() -> SocketMatch.match(dgram, WHERE, List.of(unix(3, null, Type.STREAM, true, "/q/public/dg"))))
                .hasMessageContaining("is a listening unix stream socket at /q/public/dg (bound to its address), but "
                        + WHERE + " wants a unix datagram socket at /q/public/dg");
        assertThatThrownBy(() -> SocketMatch.match(stream, WHERE, List.of(new SocketMatch.Candidate(3, null,
                new SocketInfo(Kind.FIFO, Family.OTHER, Type.OTHER, false, "/q/public/echo", 0)))))
                .hasMessageContaining("is a FIFO at /q/public/echo");
        // An abstract socket never matches a path.
        assertThat(SocketMatch.match(stream, WHERE, List.of(unix(3, null, Type.STREAM, true, "@/q/public/echo"))))
                .isEmpty();
    }

    @Test
    void theLocationNamesFileLineAndService() throws Exception {
        ServiceTable t = table("# comment\n\n127.0.0.1:2525 inet n - n - 2 pm-echo\n");
        ServiceSpec s = t.services().iterator().next();
        assertThat(t.location(s)).isEqualTo("/etc/master.cf:3 service \"127.0.0.1:2525\" (inet)");
        assertThat(ServiceTable.of(List.of(s)).location(s)).isEqualTo("service \"127.0.0.1:2525\" (inet)");
    }
}
