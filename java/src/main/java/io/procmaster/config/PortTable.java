package io.procmaster.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Turns the port part of an inet service name into a number (docs/postfix-master.md §1.3.2).
 *
 * <p>Lookup order: a decimal number is used as is; a name is looked up in
 * {@code known_tcp_ports} (main.cf, Postfix ≥ 3.6 syntax {@code name=port} or
 * {@code name1=name2=port}, items separated by commas or whitespace), then in the tcp
 * entries of a services(5) file such as {@code /etc/services} (names and aliases), when one
 * is configured and readable. Numeric ports never need the services file, so a machine
 * without one still works.
 *
 * <p>Failure modes: {@link #parseKnownPorts} rejects malformed {@code known_tcp_ports};
 * {@link #resolve} rejects numbers outside 1..65535 and unknown names. An unreadable
 * services file is treated as empty (it is optional by nature).
 */
final class PortTable {

    private final Map<String, Integer> known;
    private final Path servicesFile;
    private volatile Map<String, Integer> services;

    /**
     * @param known        names from {@code known_tcp_ports}, already parsed
     * @param servicesFile a services(5) file, or {@code null} to consult none
     */
    public PortTable(Map<String, Integer> known, Path servicesFile) {
        this.known = Collections.unmodifiableMap(new LinkedHashMap<>(known));
        this.servicesFile = servicesFile;
    }

    /**
     * Parses a {@code known_tcp_ports} value, e.g. {@code lmtp=24, smtps=submissions=465}.
     *
     * @throws IllegalArgumentException with the reason
     */
    public static Map<String, Integer> parseKnownPorts(String value) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String item : value.trim().split("[,\\s]+")) {
            if (item.isEmpty()) {
                continue;
            }
            String[] parts = item.split("=", -1);
            if (parts.length < 2) {
                throw new IllegalArgumentException("item \"" + item + "\" is not name=port");
            }
            int port = parsePort(parts[parts.length - 1]);
            for (int i = 0; i < parts.length - 1; i++) {
                String n = parts[i];
                if (n.isEmpty() || Character.isDigit(n.charAt(0))) {
                    throw new IllegalArgumentException("item \"" + item + "\" has a bad service name \"" + n + "\"");
                }
                out.put(n, port);
            }
        }
        return out;
    }

    /**
     * The port number for {@code port}, a decimal number or a service name.
     *
     * @throws IllegalArgumentException "port out of range" or "unknown service port name"
     */
    public int resolve(String port) {
        if (!port.isEmpty() && Character.isDigit(port.charAt(0))) {
            return parsePort(port);
        }
        OptionalInt found = lookup(port);
        if (found.isEmpty()) {
            throw new IllegalArgumentException("unknown service port name (not in known_tcp_ports"
                    + (servicesFile == null ? "" : " or " + servicesFile) + ")");
        }
        return found.getAsInt();
    }

    /** The number for a service name, if known. */
    public OptionalInt lookup(String name) {
        Integer p = known.get(name);
        if (p == null) {
            p = services().get(name);
        }
        return p == null ? OptionalInt.empty() : OptionalInt.of(p);
    }

    private Map<String, Integer> services() {
        Map<String, Integer> s = services;
        if (s == null) {
            s = readServices(servicesFile);
            services = s;
        }
        return s;
    }

    private static Map<String, Integer> readServices(Path file) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (file == null || !Files.isReadable(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                int hash = line.indexOf('#');
                String[] f = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
                if (f.length < 2 || !f[1].endsWith("/tcp")) {
                    continue;
                }
                int port;
                try {
                    port = parsePort(f[1].substring(0, f[1].length() - 4));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                for (int i = 0; i < f.length; i++) {
                    if (i != 1) {
                        out.putIfAbsent(f[i], port);
                    }
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    private static int parsePort(String text) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9') || text.length() > 5) {
            throw new IllegalArgumentException("bad port number \"" + text + "\"");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1..65535");
        }
        return port;
    }
}
