package io.procmaster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logical lines, inet names, port tables and the disable list, tested on their own. */
class LowLevelSyntaxTest {

    @Test
    void logicalLinesJoinContinuationsAndKeepTheFirstLineNumber() {
        assertThat(LogicalLines.split("a 1\n  b\n\n# c\nd 2\r\n\te\n")).containsExactly(
                new LogicalLine(1, "a 1 b"), new LogicalLine(5, "d 2 e"));
    }

    @Test
    void aLeadingContinuationLineStandsAlone() {
        assertThat(LogicalLines.split("  orphan\nx\n")).containsExactly(
                new LogicalLine(1, "orphan"), new LogicalLine(2, "x"));
    }

    @Test
    void inetNameForms() {
        assertThat(InetNames.split("smtp")).isEqualTo(new InetNames.HostPort(null, "smtp"));
        assertThat(InetNames.split("*:25")).isEqualTo(new InetNames.HostPort(null, "25"));
        assertThat(InetNames.split(":25")).isEqualTo(new InetNames.HostPort(null, "25"));
        assertThat(InetNames.split("host:25")).isEqualTo(new InetNames.HostPort("host", "25"));
        assertThat(InetNames.split("[::1]:smtp")).isEqualTo(new InetNames.HostPort("::1", "smtp"));
        assertThat(InetNames.split("[10.0.0.1]:25")).isEqualTo(new InetNames.HostPort("10.0.0.1", "25"));
        assertThatThrownBy(() -> InetNames.split("[::1]25")).hasMessageContaining("expected \":port\"");
        assertThatThrownBy(() -> InetNames.split("[]:25")).hasMessageContaining("empty address");
    }

    @Test
    void canonicalHostsAreNormalizedWithoutDns() {
        assertThat(InetNames.canonicalHost("2001:0DB8:0000:0000:0000:0000:0000:0001")).isEqualTo("2001:db8::1");
        assertThat(InetNames.canonicalHost("0:0:0:0:0:0:0:0")).isEqualTo("::");
        assertThat(InetNames.canonicalHost("1:0:0:2:0:0:0:3")).isEqualTo("1:0:0:2::3");
        assertThat(InetNames.canonicalHost("1:0:2:3:4:5:6:7")).isEqualTo("1:0:2:3:4:5:6:7");
        assertThat(InetNames.canonicalHost("[::1]")).isEqualTo("::1");
        assertThat(InetNames.canonicalHost("192.0.2.10")).isEqualTo("192.0.2.10");
        assertThat(InetNames.canonicalHost("Mail.Example.COM")).isEqualTo("Mail.Example.COM");
        for (String bad : new String[] {"1.2.3", "01.2.3.4", "256.0.0.1", "a..b", "-a.com", "x:y", "gg::1", "a b"}) {
            assertThatThrownBy(() -> InetNames.canonicalHost(bad)).as(bad)
                    .hasMessage("bad hostname or network address");
        }
    }

    @Test
    void endpointsRenderAndKnowLoopback() {
        assertThat(new InetEndpoint("::1", 25)).hasToString("[::1]:25").matches(InetEndpoint::isLoopback);
        assertThat(new InetEndpoint("127.3.4.5", 25).isLoopback()).isTrue();
        assertThat(InetEndpoint.wildcard(25)).hasToString("*:25");
        assertThat(InetEndpoint.wildcard(25).isLoopback()).isFalse();
        assertThatThrownBy(() -> new InetEndpoint("h", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void knownTcpPortsSyntax() {
        assertThat(PortTable.parseKnownPorts("lmtp=24, smtps=submissions=465\tsubmission=587")).containsExactly(
                Map.entry("lmtp", 24), Map.entry("smtps", 465), Map.entry("submissions", 465),
                Map.entry("submission", 587));
        assertThat(PortTable.parseKnownPorts("  ")).isEmpty();
        assertThatThrownBy(() -> PortTable.parseKnownPorts("smtp=x")).hasMessageContaining("bad port number \"x\"");
        assertThatThrownBy(() -> PortTable.parseKnownPorts("=25")).hasMessageContaining("bad service name");
        assertThatThrownBy(() -> PortTable.parseKnownPorts("a=0")).hasMessageContaining("port out of range");
    }

    @Test
    void portLookupPrefersKnownTcpPortsAndFallsBackToTheServicesFile(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("services");
        Files.writeString(services, "smtp 2525/tcp\npop3 110/tcp pop-3\nntp 119/udp\n");
        PortTable t = new PortTable(Map.of("smtp", 25), services);
        assertThat(t.resolve("smtp")).isEqualTo(25);
        assertThat(t.resolve("pop-3")).isEqualTo(110);
        assertThat(t.resolve("8080")).isEqualTo(8080);
        assertThatThrownBy(() -> t.resolve("ntp")).hasMessageContaining("unknown service port name");
        assertThatThrownBy(() -> t.resolve("65536")).hasMessageContaining("port out of range");
        assertThat(new PortTable(Map.of(), dir.resolve("missing")).lookup("smtp")).isEmpty();
    }

    @Test
    void disableListMatching() {
        ServiceDisableList d = ServiceDisableList.parse("!smtp/inet, inet foo.UNIX bar/fifo");
        assertThat(d.disables("smtp", "inet")).isFalse();
        assertThat(d.disables("submission", "inet")).isTrue();
        assertThat(d.disables("FOO", "unix")).isTrue();
        assertThat(d.disables("foo", "fifo")).isFalse();
        assertThat(d.disables("bar", "fifo")).isTrue();
        assertThat(d.disables("bar", "unix")).isFalse();
        assertThat(ServiceDisableList.parse("").isEmpty()).isTrue();
    }

    @Test
    void configExceptionNeedsAnError() {
        assertThatThrownBy(() -> new ConfigException(java.util.List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
