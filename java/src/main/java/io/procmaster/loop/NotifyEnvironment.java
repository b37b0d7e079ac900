package io.procmaster.loop;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * NotifyEnvironment - what the variables systemd sets for a {@code Type=notify} service say: where
 * the notify socket is ({@code NOTIFY_SOCKET}) and whether and how often the watchdog wants a ping
 * ({@code WATCHDOG_USEC}, {@code WATCHDOG_PID}); docs/systemd.md, "Readiness and the notify protocol".
 *
 * <p>Interface: {@link #of(Map, long)} reads a master's environment (injected: System.getenv() in
 * production, a map in tests) for the process {@code pid}; {@link #socket()} is the address to send
 * to ({@code /path} or {@code @name}, the C core's form, pm_dgram_send), or null for no notify;
 * {@link #watchdogIntervalNanos()} is half of {@code WATCHDOG_USEC}, or 0 for no pings;
 * {@link #errors()} and {@link #notes()} are the sentences to log. {@link #VARIABLES} and
 * {@link #withoutNotifyVariables(Map)}: the children never see these variables (a child that
 * found NOTIFY_SOCKET could tell systemd the master is ready, or stopping).
 *
 * <p>Failure modes: none thrown. A bad value is an entry of {@link #errors()} naming the variable
 * and the value, and that part is off: a bad {@code NOTIFY_SOCKET} means no notify at all (the
 * master still runs), a bad {@code WATCHDOG_USEC} or {@code WATCHDOG_PID} no watchdog pings.
 * {@code WATCHDOG_PID} naming another process is not an error: the pings are that process's to
 * send (a note says so). Immutable.
 */
record NotifyEnvironment(String socket, long watchdogIntervalNanos, List<String> errors, List<String> notes) {

    /** The variables systemd's notify protocol sets; none of them reaches a child. */
    static final Set<String> VARIABLES = Set.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID");

    /**
     * The longest address, in bytes: Linux's {@code sun_path} is 108 bytes (unix(7)), a path needs
     * its terminating NUL and an abstract name its leading one. The C core checks again.
     */
    static final int MAX_ADDRESS_BYTES = 107;

    NotifyEnvironment {
        errors = List.copyOf(errors);
        notes = List.copyOf(notes);
    }

    /** Whether the master sends notify messages at all. */
    boolean notifying() {
        return socket != null;
    }

    /** The environment of a process {@code pid} that systemd did not start as a notify service, or did. */
    static NotifyEnvironment of(Map<String, String> environment, long pid) {
        List<String> errors = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String socket = socket(environment.get("NOTIFY_SOCKET"), errors);
        long interval = socket == null ? 0 : watchdogInterval(environment, pid, errors, notes);
        if (socket == null && environment.containsKey("WATCHDOG_USEC")) {
            notes.add("WATCHDOG_USEC is set but there is no usable NOTIFY_SOCKET: no watchdog pings");
        }
        return new NotifyEnvironment(socket, interval, errors, notes);
    }

    /** The children's environment without the notify variables (whatever import_environment said). */
    static Map<String, String> withoutNotifyVariables(Map<String, String> childEnvironment) {
        Map<String, String> out = new LinkedHashMap<>(childEnvironment);
        out.keySet().removeAll(VARIABLES);
        return out;
    }

    private static String socket(String value, List<String> errors) {
        if (value == null) {
            return null;
        }
        String why;
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (value.startsWith("@")) {
            why = value.length() == 1 ? "an abstract name after the @ is empty"
                    : bytes - 1 > MAX_ADDRESS_BYTES ? "the abstract name is longer than " + MAX_ADDRESS_BYTES + " bytes"
                    : null;
        } else if (value.startsWith("/")) {
            why = bytes > MAX_ADDRESS_BYTES ? "the path is longer than " + MAX_ADDRESS_BYTES + " bytes" : null;
        } else {
            why = value.isEmpty() ? "it is empty"
                    : value.startsWith("vsock:") ? "vsock addresses are not supported"
                    : "it is neither an absolute path nor an @name abstract socket";
        }
        if (why != null) {
            errors.add("NOTIFY_SOCKET=\"" + value + "\" refused: " + why + "; running without systemd notify");
            return null;
        }
        return value;
    }

    private static long watchdogInterval(Map<String, String> env, long pid, List<String> errors, List<String> notes) {
        String usec = env.get("WATCHDOG_USEC");
        String watchdogPid = env.get("WATCHDOG_PID");
        if (usec == null) {
            return 0;
        }
        long micros = positiveDecimal(usec);
        if (micros <= 0) {
            errors.add("WATCHDOG_USEC=\"" + usec + "\" refused: not a positive number of microseconds; no watchdog pings");
            return 0;
        }
        if (watchdogPid != null) {
            long p = positiveDecimal(watchdogPid);
            if (p <= 0) {
                errors.add("WATCHDOG_PID=\"" + watchdogPid + "\" refused: not a process id; no watchdog pings");
                return 0;
            }
            if (p != pid) {
                notes.add("WATCHDOG_PID=" + watchdogPid + " is not this process (" + pid + "): no watchdog pings");
                return 0;
            }
        }
        // Half the timeout, as sd_watchdog_enabled(3) advises: one late pass still leaves a margin.
        return Math.max(1, Math.multiplyExact(micros, 1000L) / 2);
    }

    /** The value of a string of ASCII digits, or -1 (not digits, too long, or overflowing nanoseconds). */
    private static long positiveDecimal(String s) {
        if (s.isEmpty() || s.length() > 15) { // 10^15 µs (31 years) still fits in nanoseconds
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
