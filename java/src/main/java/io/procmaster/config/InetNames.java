package io.procmaster.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Syntax of inet service names ({@code [host:]port}) and host addresses, without DNS.
 *
 * <p>Accepted service names: {@code port}; {@code host:port}; {@code [address]:port} (IPv6
 * must be bracketed, IPv4 may be); {@code :port} and {@code *:port} mean no host (listen on
 * {@code inet_interfaces}). Hosts are numeric IPv4 (strict dotted quad), numeric IPv6, or
 * syntactically valid host names, which are kept as written and never resolved here.
 *
 * <p>Failure modes: {@link IllegalArgumentException} with the reason, e.g. an unbalanced
 * bracket, an unbracketed IPv6 address, an empty port, or a malformed address or name.
 */
final class InetNames {

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern LOOKS_NUMERIC = Pattern.compile("[0-9.]+");
    private static final Pattern HOSTNAME = Pattern.compile(
            "[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");

    /**
     * An inet service name split into host and port text.
     *
     * @param host the host as written without brackets, or {@code null} for none
     * @param port the port as written (number or service name)
     */
    public record HostPort(String host, String port) {
    }

    private InetNames() {
    }

    /** Splits an inet service name; see the class comment for the accepted forms. */
    public static HostPort split(String name) {
        String host;
        String port;
        if (name.startsWith("[")) {
            int close = name.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing \"]\" after the address");
            }
            if (close + 1 >= name.length() || name.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected \":port\" after \"]\"");
            }
            host = name.substring(1, close);
            if (host.isEmpty()) {
                throw new IllegalArgumentException("empty address in brackets");
            }
            port = name.substring(close + 2);
        } else {
            int colon = name.lastIndexOf(':');
            if (colon < 0) {
                host = null;
                port = name;
            } else {
                host = name.substring(0, colon);
                port = name.substring(colon + 1);
                if (host.indexOf(':') >= 0) {
                    throw new IllegalArgumentException("an IPv6 address must be written in brackets, as [addr]:port");
                }
                if (host.isEmpty() || host.equals("*")) {
                    host = null;
                }
            }
        }
        if (port.isEmpty()) {
            throw new IllegalArgumentException("missing port");
        }
        return new HostPort(host, port);
    }

    /**
     * Checks a host and returns its canonical text: numeric addresses in canonical form
     * (IPv6 compressed, lower case, no brackets), host names unchanged.
     *
     * @throws IllegalArgumentException "bad hostname or network address"
     */
    public static String canonicalHost(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (IPV4.matcher(h).matches()) {
            return h;
        }
        if (h.indexOf(':') >= 0) {
            if (IPV6_CHARS.matcher(h).matches()) {
                try {
                    // Only hex digits, colons and dots: the JDK parses this as a literal and
                    // never consults DNS.
                    InetAddress a = InetAddress.getByName(h);
                    return format(a);
                } catch (UnknownHostException e) {
                    // fall through to the error below
                }
            }
            throw new IllegalArgumentException("bad hostname or network address");
        }
        if (LOOKS_NUMERIC.matcher(h).matches() || h.length() > 253 || !HOSTNAME.matcher(h).matches()) {
            throw new IllegalArgumentException("bad hostname or network address");
        }
        return h;
    }

    /** Canonical text of an address: dotted quad, or RFC 5952 compressed lower-case IPv6. */
    public static String format(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = ((Inet6Address) address).getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
