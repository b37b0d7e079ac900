package io.procmaster.config;

import io.procmaster.log.Logs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * A validated set of services, in master.cf order, with the warnings met while building it:
 * the result of {@link MasterCfParser}, and what a reload hands to the master loop.
 *
 * <p>Keys are unique. When two definitions share a {@link ServiceKey}, the later one replaces
 * the earlier one at the earlier one's position, and a warning
 * {@code duplicate master.cf entry for service "<name>" (<canonical>) -- using the last entry}
 * is logged and kept (docs/postfix-master.md §1.1.5, docs/postfix-master.md §9 scenario 29).
 *
 * <p>{@link #format()} prints the table the way {@code procmaster check} shows it; its output
 * is itself a valid master.cf that parses back to an equal table under the same main.cf.
 *
 * <p>Failure modes: none; immutable.
 */
public final class ServiceTable {

    private static final Logger log = Logs.logger(ServiceTable.class);

    private final Map<ServiceKey, ServiceSpec> services;
    private final List<String> warnings;
    /** The master.cf line each service's (last) entry starts on; empty for a table built in Java. */
    private final Map<ServiceKey, Integer> lines;
    /** The master.cf file the lines are in, as messages name it; null for a table built in Java. */
    private final String fileName;

    ServiceTable(Map<ServiceKey, ServiceSpec> services, List<String> warnings, Map<ServiceKey, Integer> lines) {
        this(services, warnings, lines, null);
    }

    ServiceTable(Map<ServiceKey, ServiceSpec> services, List<String> warnings, Map<ServiceKey, Integer> lines,
                 String fileName) {
        this.services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        this.warnings = List.copyOf(warnings);
        this.lines = Map.copyOf(lines);
        this.fileName = fileName;
    }

    /** A table of {@code services}; duplicates are resolved as described in the class comment. */
    public static ServiceTable of(List<ServiceSpec> services) {
        Map<ServiceKey, ServiceSpec> map = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (ServiceSpec s : services) {
            if (map.put(s.key(), s) != null) {
                String w = duplicateWarning(s);
                log.warn(w);
                warnings.add(w);
            }
        }
        return new ServiceTable(map, warnings, Map.of());
    }

    /** The empty table. */
    public static ServiceTable empty() {
        return new ServiceTable(Map.of(), List.of(), Map.of());
    }

    static String duplicateWarning(ServiceSpec s) {
        return "duplicate master.cf entry for service \"" + s.name() + "\" (" + s.canonicalName()
                + ") -- using the last entry";
    }

    /** The services in order. */
    public List<ServiceSpec> services() {
        return List.copyOf(services.values());
    }

    /** The services by key, in order. */
    public Map<ServiceKey, ServiceSpec> asMap() {
        return services;
    }

    /** The service with {@code key}, if any. */
    public Optional<ServiceSpec> get(ServiceKey key) {
        return Optional.ofNullable(services.get(key));
    }

    /** Number of services. */
    public int size() {
        return services.size();
    }

    /** Warnings met while building the table: duplicates, then parameters nothing reads ({@code UnusedParameters}). */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The master.cf line a service's (last) entry starts on, for messages about a service found
     * after parsing ({@code procmaster check}); empty for a service not parsed from a file.
     *
     * @param key the service
     * @return its line, if known
     */
    public Optional<Integer> line(ServiceKey key) {
        return Optional.ofNullable(lines.get(key));
    }

    /**
     * Where a service is defined, for messages about it after parsing (socket activation's refusals):
     * {@code master.cf:12 service "smtp" (inet)}, or {@code service "smtp" (inet)} for one built in Java.
     *
     * @param spec a service of this table
     * @return the file and line (when known) and the service's name and type
     */
    public String location(ServiceSpec spec) {
        String service = "service \"" + spec.name() + "\" (" + spec.type().token() + ")";
        Integer line = lines.get(spec.key());
        return fileName == null || line == null ? service : fileName + ":" + line + " " + service;
    }

    /** This table with {@code more} warnings after its own (the same services and lines). */
    ServiceTable withWarnings(List<String> more) {
        List<String> all = new ArrayList<>(warnings);
        all.addAll(more);
        return new ServiceTable(services, all, lines, fileName);
    }

    /**
     * The table as aligned master.cf text: a header comment, then one row per service with
     * name, type, private, unpriv, chroot, wakeup, maxproc (resolved numbers), command and
     * arguments (arguments with whitespace, or empty ones, in braces; min_idle as
     * {@code -o procmaster_min_idle=N}).
     */
    public String format() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"# service", "type", "private", "unpriv", "chroot", "wakeup", "maxproc",
            "command + args"});
        for (ServiceSpec s : services.values()) {
            StringBuilder cmd = new StringBuilder(s.command());
            for (String a : s.args()) {
                cmd.append(' ').append(quote(a));
            }
            if (s.minIdle() > 0) {
                cmd.append(" -o ").append(ServiceSpec.MIN_IDLE_OPTION).append('=').append(s.minIdle());
            }
            rows.add(new String[] {s.name(), s.type().token(), ServiceSpec.yn(s.isPrivate()), ServiceSpec.yn(s.isUnprivileged()),
                ServiceSpec.yn(s.isChroot()), s.wakeupText(), Integer.toString(s.maxProc()), cmd.toString()});
        }
        int[] width = new int[8];
        for (String[] r : rows) {
            for (int i = 0; i < 7; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < 7; i++) {
                sb.append(r[i]).append(" ".repeat(width[i] - r[i].length() + 1));
            }
            sb.append(r[7]).append('\n');
        }
        return sb.toString();
    }

    private static String quote(String arg) {
        return arg.isEmpty() || arg.chars().anyMatch(Character::isWhitespace) || arg.startsWith("{")
                ? "{ " + arg + " }" : arg;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceTable t && t.services.equals(services);
    }

    @Override
    public int hashCode() {
        return services.hashCode();
    }

    @Override
    public String toString() {
        return format();
    }
}
