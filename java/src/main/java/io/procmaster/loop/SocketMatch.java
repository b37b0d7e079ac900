package io.procmaster.loop;

import io.procmaster.config.InetEndpoint;
import io.procmaster.config.ServiceSpec;
import io.procmaster.os.SocketInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which adopted descriptors a service takes (docs/socket-activation.md), on plain data: the
 * service, and each free descriptor's number, name and {@link SocketInfo}.
 *
 * <p>A descriptor is the service's when its bound address is one the service listens on (an inet
 * endpoint's address and port, the wildcard endpoint taking {@code 0.0.0.0} or {@code ::}; a unix or
 * FIFO service's path), or when its name ({@code LISTEN_FDNAMES}) is the service's name (master.cf
 * field 1). Such a descriptor must then fit: a listening TCP socket on one of the endpoints for
 * inet, a listening unix stream socket at the path for unix and pass, a unix datagram socket for
 * unix-dgram, a FIFO for fifo. The slots are the service's listeners in order (the child's fds 6..):
 * inet endpoint i is slot i, a path-based service has slot 0; a slot no descriptor takes is bound
 * as usual.
 *
 * <p>Failure modes: a descriptor that is the service's but does not fit, or a second one for a slot
 * already taken, is an {@link IOException} naming the fd, its name, what it is, and {@code where}
 * (master.cf file:line and the service) with what it wants: the master does not start (or the reload
 * fails), as when a bind fails. Host names in master.cf are never resolved here: they match by name only.
 */
final class SocketMatch {
    private static final Pattern NUMERIC_V4 = Pattern.compile("[0-9.]+");

    /** A free adopted descriptor: its number, its name (or null), what it is. */
    record Candidate(int fd, String name, SocketInfo info) {
        String label() {
            return "fd " + fd + (name == null ? " (no LISTEN_FDNAMES name)" : " (LISTEN_FDNAMES name \"" + name + "\")");
        }
    }

    private SocketMatch() {
    }

    /**
     * The descriptors {@code spec} takes, by slot.
     *
     * @param spec  the service
     * @param where where it is defined, for messages: {@code master.cf:12 "smtp inet"}
     * @param free  the adopted descriptors no other service holds
     * @return slot to descriptor; empty when none is the service's
     * @throws IOException when one is the service's but does not fit
     */
    static Map<Integer, Candidate> match(ServiceSpec spec, String where, List<Candidate> free) throws IOException {
        Map<Integer, Candidate> taken = new LinkedHashMap<>();
        for (Candidate c : free) {
            boolean byName = c.name() != null && c.name().equals(spec.name());
            int slot = slotOf(spec, c.info());
            if (!byName && slot < 0) {
                continue;
            }
            String how = byName ? "named after the service" : "bound to its address";
            if (slot < 0 || !fits(spec, c.info())) {
                throw new IOException("socket activation: " + c.label() + " is " + c.info().describe() + " (" + how
                        + "), but " + where + " wants " + wanted(spec) + " (docs/socket-activation.md)");
            }
            Candidate before = taken.putIfAbsent(slot, c);
            if (before != null) {
                throw new IOException("socket activation: " + c.label() + " is " + c.info().describe() + " (" + how
                        + "), but " + where + " already has " + before.label() + " for that address"
                        + " (docs/socket-activation.md)");
            }
        }
        return taken;
    }

    /** The slot whose address the descriptor is bound to, whatever its type; -1 for none. */
    static int slotOf(ServiceSpec spec, SocketInfo info) {
        switch (spec.type()) {
            case INET -> {
                if (!info.isInet()) {
                    return -1;
                }
                List<InetEndpoint> endpoints = spec.listenEndpoints();
                for (int i = 0; i < endpoints.size(); i++) {
                    if (endpoints.get(i).port() == info.port() && sameHost(endpoints.get(i), info.address())) {
                        return i;
                    }
                }
                return -1;
            }
            default -> {
                if (spec.socketPath().isEmpty() || info.address().isEmpty() || !info.address().startsWith("/")
                        || info.family() == SocketInfo.Family.INET || info.family() == SocketInfo.Family.INET6) {
                    return -1;
                }
                Path want = spec.socketPath().get().toAbsolutePath().normalize();
                return Path.of(info.address()).normalize().equals(want) ? 0 : -1;
            }
        }
    }

    /** Whether the socket's type fits the service (its address was matched already). */
    static boolean fits(ServiceSpec spec, SocketInfo info) {
        boolean socket = info.kind() == SocketInfo.Kind.SOCKET;
        boolean listeningStream = socket && info.type() == SocketInfo.Type.STREAM && info.listening();
        return switch (spec.type()) {
            case INET -> listeningStream && info.isInet();
            case UNIX, PASS -> listeningStream && info.family() == SocketInfo.Family.UNIX;
            case UNIX_DGRAM -> socket && info.type() == SocketInfo.Type.DGRAM && info.family() == SocketInfo.Family.UNIX;
            case FIFO -> info.kind() == SocketInfo.Kind.FIFO;
        };
    }

    /** What the service listens on, in words. */
    static String wanted(ServiceSpec spec) {
        return switch (spec.type()) {
            case INET -> {
                List<String> eps = new ArrayList<>();
                spec.listenEndpoints().forEach(e -> eps.add(e.toString()));
                yield "a listening TCP socket on " + (eps.size() == 1 ? eps.get(0) : "one of " + String.join(", ", eps));
            }
            case UNIX, PASS -> "a listening unix stream socket at " + pathText(spec);
            case UNIX_DGRAM -> "a unix datagram socket at " + pathText(spec);
            case FIFO -> "a FIFO at " + pathText(spec);
        };
    }

    private static String pathText(ServiceSpec spec) {
        return spec.socketPath().map(p -> p.toAbsolutePath().normalize().toString()).orElse("(no path)");
    }

    /**
     * Whether the socket's numeric address is the endpoint's host: the wildcard endpoint takes
     * either wildcard ({@code 0.0.0.0}, {@code ::}); an IPv4-mapped IPv6 address is its IPv4 one.
     */
    static boolean sameHost(InetEndpoint endpoint, String socketAddress) {
        InetAddress socket = literal(socketAddress);
        if (socket == null) {
            return false;
        }
        if (endpoint.isWildcard()) {
            return socket.isAnyLocalAddress();
        }
        InetAddress host = literal(endpoint.host());
        return host != null && host.equals(socket);
    }

    /** A numeric literal as an address (no DNS: names are null); IPv4-mapped IPv6 comes back as IPv4. */
    private static InetAddress literal(String text) {
        boolean numeric = text.indexOf(':') >= 0 || NUMERIC_V4.matcher(text).matches();
        if (!numeric || text.isEmpty()) {
            return null;
        }
        try {
            return InetAddress.getByName(text); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
