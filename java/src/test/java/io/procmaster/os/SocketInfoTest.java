package io.procmaster.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.os.SocketInfo.Family;
import io.procmaster.os.SocketInfo.Kind;
import io.procmaster.os.SocketInfo.Type;
import io.procmaster.os.jni.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one native call of socket activation on real descriptors: what it reports, and what it sets. */
class SocketInfoTest {

    private static String fdinfoFlags(Fd fd) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.intValue()))) {
            if (line.startsWith("flags:")) {
                return line.substring(6).trim();
            }
        }
        throw new AssertionError("no flags line");
    }

    @Test
    void aTcpListenerIsInetStreamListeningWithItsAddressAndPort() throws Exception {
        try (Fd l = Channels.listenInet("127.0.0.1", 0, 8)) {
            SocketInfo i = SocketInfo.adopt(l.intValue());
            assertThat(i).isEqualTo(new SocketInfo(Kind.SOCKET, Family.INET, Type.STREAM, true, "127.0.0.1",
                    Channels.localPort(l)));
            assertThat(i.describe()).isEqualTo("a listening TCP socket on 127.0.0.1:" + Channels.localPort(l));
            // close-on-exec (O_CLOEXEC 02000000) and non-blocking (O_NONBLOCK 04000), octal in fdinfo
            long flags = Long.parseLong(fdinfoFlags(l), 8);
            assertThat(flags & 02000000).isNotZero();
            assertThat(flags & 04000).isNotZero();
        }
    }

    @Test
    void anIpv6ListenerReportsItsLiteral() throws Exception {
        Fd l;
        try {
            l = Channels.listenInet("::1", 0, 8);
        } catch (NativeIoException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (l) {
            SocketInfo i = SocketInfo.adopt(l.intValue());
            assertThat(i.family()).isEqualTo(Family.INET6);
            assertThat(i.address()).isEqualTo("::1");
            assertThat(i.describe()).isEqualTo("a listening TCP socket on [::1]:" + Channels.localPort(l));
        }
    }

    @Test
    void connectedAndDatagramSocketsAreNotListening() throws Exception {
        try (FdPair tcp = Channels.open(Channels.Kind.TCP); FdPair udp = Channels.open(Channels.Kind.UDP)) {
            SocketInfo t = SocketInfo.adopt(tcp.child().intValue());
            assertThat(t.type()).isEqualTo(Type.STREAM);
            assertThat(t.listening()).isFalse();
            assertThat(t.describe()).startsWith("a TCP socket on 127.0.0.1:").endsWith(" (not listening)");
            SocketInfo u = SocketInfo.adopt(udp.master().intValue());
            assertThat(u.type()).isEqualTo(Type.DGRAM);
            assertThat(u.family()).isEqualTo(Family.INET);
            assertThat(u.describe()).startsWith("a UDP socket on 127.0.0.1:");
        }
    }

    @Test
    void unixSocketsAndFifosReportTheirPaths(@TempDir Path dir) throws Exception {
        String stream = dir.resolve("s").toString();
        String dgram = dir.resolve("d").toString();
        String fifo = dir.resolve("f").toString();
        try (Fd s = Channels.listenUnix(stream, 4, 0600); Fd d = Channels.bindUnixDgram(dgram, 0600);
             Fd f = Channels.openFifo(fifo, 0600); FdPair pair = Channels.open(Channels.Kind.STREAM)) {
            assertThat(SocketInfo.adopt(s.intValue()))
                    .isEqualTo(new SocketInfo(Kind.SOCKET, Family.UNIX, Type.STREAM, true, stream, 0));
            assertThat(SocketInfo.adopt(d.intValue()))
                    .isEqualTo(new SocketInfo(Kind.SOCKET, Family.UNIX, Type.DGRAM, false, dgram, 0));
            SocketInfo fi = SocketInfo.adopt(f.intValue());
            assertThat(fi.kind()).isEqualTo(Kind.FIFO);
            assertThat(fi.address()).isEqualTo(fifo);
            assertThat(fi.describe()).isEqualTo("a FIFO at " + fifo);
            SocketInfo unnamed = SocketInfo.adopt(pair.child().intValue());
            assertThat(unnamed.address()).isEmpty();
            assertThat(unnamed.describe()).isEqualTo("a unix stream socket (unnamed) (not listening)");
        }
    }

    @Test
    void aRegularFileIsNotASocketAndADescriptorNotOpenIsEbadf() throws Exception {
        try (Fd devNull = Channels.devNull()) {
            SocketInfo i = SocketInfo.adopt(devNull.intValue());
            assertThat(i.kind()).isEqualTo(Kind.OTHER);
            assertThat(i.describe()).isEqualTo("not a socket at /dev/null");
        }
        // A number far above any this JVM opens (a closed one could be reused by another thread at once).
        assertThatThrownBy(() -> SocketInfo.adopt(999_999)).isInstanceOfSatisfying(NativeIoException.class,
                e -> assertThat(e.errno()).isEqualTo(Native.EBADF));
    }
}
