package io.procmaster.loop;

import io.procmaster.config.ServiceSpec;
import io.procmaster.log.Logs;
import io.procmaster.os.Fd;
import io.procmaster.os.NativeIoException;
import io.procmaster.os.SocketInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The descriptors the master was given by socket activation (docs/socket-activation.md), held for
 * the master's lifetime: a service takes the ones that are its instead of binding, and gives them
 * back when it goes; none is closed before {@link #closeAll} at stop.
 *
 * <p>Interface: {@link #open} reads {@code LISTEN_PID}/{@code LISTEN_FDS}/{@code LISTEN_FDNAMES}
 * ({@link ListenFds}) and makes each descriptor close-on-exec and non-blocking ({@link SocketInfo#adopt}),
 * so that a child gets one only as its service's listener (fds 6..); {@link #claim} hands a service
 * its descriptors ({@link SocketMatch}); {@link Claim#release} gives them back to the pool, where a
 * later reload's service finds them; {@link #logUnused} says which no service wants (kept, not
 * closed: a reload may add their service). Loop thread only (at start: the starting thread, before
 * the loop runs).
 *
 * <p>Failure modes: {@link #open} throws for malformed variables or a passed descriptor that is not
 * open (closing what it had adopted); {@link #claim} throws when a descriptor that is the service's
 * does not fit it. Both messages name the variable or the fd; the master does not start, or the
 * reload changes nothing.
 */
final class AdoptedSockets {
    private static final Logger log = Logs.logger(AdoptedSockets.class);

    private static final class Entry {
        final Fd fd;
        final SocketMatch.Candidate candidate;
        String user; // the service id holding it, or null while free

        Entry(Fd fd, SocketMatch.Candidate candidate) {
            this.fd = fd;
            this.candidate = candidate;
        }
    }

    private final List<Entry> entries;

    private AdoptedSockets(List<Entry> entries) {
        this.entries = entries;
    }

    /** No descriptors: a master not started by socket activation. */
    static AdoptedSockets none() {
        return new AdoptedSockets(List.of());
    }

    /**
     * The descriptors passed to this process, adopted.
     *
     * @param env the master's environment (StartOptions: {@code System.getenv()} unless a test gives one)
     * @param pid this process's id
     */
    static AdoptedSockets open(Map<String, String> env, long pid) throws IOException {
        ListenFds.Passed passed = ListenFds.parse(env, pid);
        if (passed.ignored() != null) {
            log.warn("socket activation: {}", passed.ignored());
        }
        List<Entry> entries = new ArrayList<>();
        try {
            for (ListenFds.PassedFd p : passed.fds()) {
                SocketInfo info;
                try {
                    info = SocketInfo.adopt(p.fd());
                } catch (NativeIoException e) {
                    throw new IOException("socket activation: fd " + p.fd() + " of LISTEN_FDS="
                            + env.get("LISTEN_FDS") + " cannot be adopted: " + e.getMessage(), e);
                }
                SocketMatch.Candidate c = new SocketMatch.Candidate(p.fd(), p.name(), info);
                entries.add(new Entry(new Fd(p.fd()), c));
                log.info("socket activation: {} is {}", c.label(), info.describe());
            }
        } catch (IOException | RuntimeException e) {
            entries.forEach(x -> x.fd.close());
            throw e;
        }
        return new AdoptedSockets(entries);
    }

    /**
     * The descriptors that are {@code spec}'s, taken from the pool for service {@code id}; an empty
     * claim when none is (the service binds as usual).
     *
     * @param where where the service is defined, for messages (master.cf file:line and the service)
     * @throws IOException when a descriptor that is the service's does not fit it
     */
    Claim claim(String id, ServiceSpec spec, String where) throws IOException {
        List<SocketMatch.Candidate> free = new ArrayList<>();
        for (Entry e : entries) {
            if (e.user == null) {
                free.add(e.candidate);
            }
        }
        if (free.isEmpty()) {
            return new Claim(new LinkedHashMap<>());
        }
        Map<Integer, Entry> bySlot = new LinkedHashMap<>();
        for (Map.Entry<Integer, SocketMatch.Candidate> m : SocketMatch.match(spec, where, free).entrySet()) {
            Entry e = entryOf(m.getValue());
            e.user = id;
            bySlot.put(m.getKey(), e);
            log.info("service {}: listening on adopted {} ({}) instead of binding", id, e.candidate.label(),
                    e.candidate.info().describe());
        }
        return new Claim(bySlot);
    }

    private Entry entryOf(SocketMatch.Candidate c) {
        for (Entry e : entries) {
            if (e.candidate == c) {
                return e;
            }
        }
        throw new IllegalStateException("not an adopted descriptor: " + c.label());
    }

    /** Logs each descriptor no service holds: it is kept for a later reload. */
    void logUnused() {
        for (Entry e : entries) {
            if (e.user == null) {
                log.warn("socket activation: {} ({}) is wanted by no service; kept open for a later reload",
                        e.candidate.label(), e.candidate.info().describe());
            }
        }
    }

    /** Which services listen on adopted descriptors: service id to the descriptors' labels, in fd order. */
    Map<String, List<String>> users() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (e.user != null) {
                out.computeIfAbsent(e.user, k -> new ArrayList<>()).add(e.candidate.label());
            }
        }
        return out;
    }

    /** Closes every descriptor (the master stops); a claim released later changes nothing. */
    void closeAll() {
        int open = 0;
        for (Entry e : entries) {
            open += e.fd.isOpen() ? 1 : 0;
            e.fd.close();
            e.user = null;
        }
        if (open > 0) {
            log.info("socket activation: closed {} adopted descriptor(s)", open);
        }
    }

    /** The descriptors one service took, by slot (its listeners in order: inet endpoint i, or 0). */
    final class Claim {
        private final Map<Integer, Entry> bySlot;

        private Claim(Map<Integer, Entry> bySlot) {
            this.bySlot = bySlot;
        }

        /** The adopted descriptor for slot {@code i}, or null: bind it. */
        Fd socketFor(int slot) {
            Entry e = bySlot.get(slot);
            return e == null ? null : e.fd;
        }

        /** Whether {@code fd} is one of this claim's (never closed by the service). */
        boolean owns(Fd fd) {
            return bySlot.values().stream().anyMatch(e -> e.fd == fd);
        }

        /** Gives the descriptors back to the pool, open, for a later service with the same address. */
        void release() {
            for (Entry e : bySlot.values()) {
                if (e.user != null) {
                    log.info("service {}: adopted {} back in the pool, still open", e.user, e.candidate.label());
                }
                e.user = null;
            }
            bySlot.clear();
        }
    }
}
