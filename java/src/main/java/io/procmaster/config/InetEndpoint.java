package io.procmaster.config;

/**
 * One TCP listen address of an inet service: a host (numeric address, host name as given,
 * or the wildcard) and a port number.
 *
 * <p>Numeric hosts are kept in canonical text form (IPv4 dotted quad, IPv6 compressed and
 * lower case, no brackets). Host names are kept as written; procmaster does not resolve
 * names while parsing, so that parsing is deterministic and never blocks on DNS.
 *
 * <p>Failure modes: the constructor rejects ports outside 1..65535 and an empty host
 * (use {@link #wildcard(int)}).
 *
 * @param host canonical numeric address, a host name, or {@code null} for the wildcard
 * @param port TCP port, 1..65535
 */
public record InetEndpoint(String host, int port) {

    /** An endpoint, checked: a port outside 1..65535 is an {@link IllegalArgumentException}. */
    public InetEndpoint {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (host != null && host.isEmpty()) {
            throw new IllegalArgumentException("empty host; use InetEndpoint.wildcard(port)");
        }
    }

    /** The endpoint that binds every local address ({@code *:port}). */
    public static InetEndpoint wildcard(int port) {
        return new InetEndpoint(null, port);
    }

    /** Whether this binds the wildcard address. */
    public boolean isWildcard() {
        return host == null;
    }

    /** Whether the host is a numeric IPv6 address. */
    public boolean isIpv6() {
        return host != null && host.indexOf(':') >= 0;
    }

    /** Whether the host is a numeric loopback address (127.0.0.0/8 or ::1). Names never are. */
    public boolean isLoopback() {
        if (host == null) {
            return false;
        }
        if (host.equals("::1")) {
            return true;
        }
        return host.startsWith("127.") && host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /** {@code 127.0.0.1:25}, {@code [::1]:25} or {@code *:25}. */
    @Override
    public String toString() {
        String h = host == null ? "*" : isIpv6() ? "[" + host + "]" : host;
        return h + ":" + port;
    }
}
