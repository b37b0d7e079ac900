package io.procmaster.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Debian's stock master.cf ({@code /usr/share/postfix/master.cf.dist}, as the postfix package
 * ships it) made runnable by a test on a shared machine, with as few changes as that needs, each
 * recorded in {@link #changes()}:
 *
 * <ol>
 *   <li>every active {@code inet} service is bound to {@code 127.0.0.1:<free port>} instead of its
 *       shipped name ({@code smtp}, port 25 on all addresses): port 25 belongs to the machine's own
 *       mail system, and tests run side by side;
 *   <li>the wakeup field (field 6) of the services named by the caller is set to a few seconds
 *       (the {@code ?} of a conditional wakeup kept), so that two periods pass within a test;
 *   <li>{@code -v} is appended to the command of the services the caller names, for daemons that
 *       log what a test looks for only when verbose (tlsmgr logs {@code received master trigger}
 *       only then).
 * </ol>
 *
 * <p>Every other line is kept verbatim: comments, continuation lines ({@code -o ...},
 * {@code flags=... argv=...}), the private, unprivileged, chroot and process-limit columns as
 * shipped. {@link #entries()} gives the active entries as shipped, for assertions on them.
 *
 * <p>Failure modes: {@link IllegalArgumentException} when a service the caller wants changed is not
 * an active entry of the given text, or an {@code inet} entry already names a host (the shipped
 * file has changed in a way the test does not know); the caller's free-port supplier may throw.
 */
public final class StockMasterCf {
    /** Where Debian's postfix package puts the stock master.cf (postfix-files: {@code master.cf.dist}). */
    public static final java.nio.file.Path DIST = java.nio.file.Path.of("/usr/share/postfix/master.cf.dist");

    /** One active entry as shipped: the first seven fields and the command (field 8's first word). */
    public record Entry(String name, String type, String privateField, String unprivileged, String chroot,
            String wakeup, String maxProc, String command) {
        /** Field 5 says {@code y} ({@code -} is {@code n} since Postfix 3.0; the shipped file spells each out). */
        public boolean chrooted() {
            return chroot.equals("y");
        }
    }

    private final String text;
    private final List<Entry> entries;
    private final Map<String, Integer> inetPorts;
    private final List<String> changes;

    private StockMasterCf(String text, List<Entry> entries, Map<String, Integer> inetPorts, List<String> changes) {
        this.text = text;
        this.entries = List.copyOf(entries);
        this.inetPorts = Map.copyOf(inetPorts);
        this.changes = List.copyOf(changes);
    }

    /**
     * The shipped text {@code dist} with the changes above: {@code wakeupSeconds} for each of
     * {@code wakeups}, {@code -v} for each of {@code verbose} (service names of active entries),
     * a port from {@code freePort} for each active inet service.
     */
    public static StockMasterCf adapt(String dist, int wakeupSeconds, Collection<String> wakeups,
            Collection<String> verbose, IntSupplier freePort) {
        Set<String> wakeupsLeft = new LinkedHashSet<>(wakeups);
        Set<String> verboseLeft = new LinkedHashSet<>(verbose);
        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<String> changes = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        for (String line : dist.split("\n", -1)) {
            if (line.isEmpty() || line.startsWith("#") || Character.isWhitespace(line.charAt(0))) {
                out.append(line).append('\n'); // comment, blank or continuation: as shipped
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length < 8) {
                throw new IllegalArgumentException("not a master.cf entry: " + line);
            }
            Entry e = new Entry(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
            entries.add(e);
            String run = line;
            if (e.type().equals("inet")) {
                if (e.name().contains(":")) {
                    throw new IllegalArgumentException("an inet entry with a host already: " + line);
                }
                int port = freePort.getAsInt();
                ports.put(e.name(), port);
                f[0] = "127.0.0.1:" + port;
                run = String.join(" ", f);
            }
            if (wakeupsLeft.remove(e.name())) {
                f[5] = wakeupSeconds + (e.wakeup().endsWith("?") ? "?" : "");
                run = String.join(" ", f);
            }
            if (verboseLeft.remove(e.name())) {
                run = String.join(" ", f) + " -v";
            }
            if (!run.equals(line)) {
                changes.add(line + "  ->  " + run);
            }
            out.append(run).append('\n');
        }
        if (!wakeupsLeft.isEmpty() || !verboseLeft.isEmpty()) {
            throw new IllegalArgumentException("not active entries of the shipped master.cf: "
                    + wakeupsLeft + " " + verboseLeft);
        }
        // split(-1) gave one empty piece after the final newline: drop the newline added for it.
        out.setLength(out.length() - 1);
        return new StockMasterCf(out.toString(), entries, ports, changes);
    }

    /** The master.cf to run. */
    public String text() {
        return text;
    }

    /** The active entries, as shipped, in file order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The loopback port given to the shipped inet service {@code name} (such as {@code smtp}). */
    public int port(String name) {
        Integer p = inetPorts.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no active inet service " + name + " in " + inetPorts.keySet());
        }
        return p;
    }

    /** Each changed line, {@code shipped  ->  run}. */
    public List<String> changes() {
        return changes;
    }

    /** The distinct commands of the active entries (programs in daemon_directory). */
    public List<String> commands() {
        return entries.stream().map(Entry::command).distinct().toList();
    }
}
