package io.procmaster.loop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The socket-activation variables (docs/socket-activation.md): which inherited descriptors the
 * master may adopt. {@code LISTEN_PID} must be this process, {@code LISTEN_FDS} = n says that
 * descriptors 3 .. 3+n-1 were passed, {@code LISTEN_FDNAMES} (optional) names them, colon-separated,
 * in order (systemd's {@code FileDescriptorName=}).
 *
 * <p>Interface: {@link #parse} on plain data (the environment as a map, the process id), so the
 * rules are tested without descriptors; {@link #VARIABLES} are what the children never get.
 *
 * <p>Failure modes: a malformed {@code LISTEN_PID} or {@code LISTEN_FDS}, or a {@code LISTEN_FDNAMES}
 * whose count is not {@code LISTEN_FDS}, is an {@link IOException} naming the variable and its value:
 * the master does not start, as when it cannot bind. Variables meant for another process
 * ({@code LISTEN_PID} not ours, or not set) are not an error: {@link Passed#ignored} says why.
 */
final class ListenFds {
    /** The variables of the protocol; a child of the master gets none of them. */
    static final List<String> VARIABLES = List.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");
    /** The first passed descriptor (after stdin, stdout, stderr). */
    static final int FIRST_FD = 3;
    /** More descriptors than this is not a plausible LISTEN_FDS. */
    static final int MAX_FDS = 65_536;

    /** One passed descriptor: its number and its name, or null when LISTEN_FDNAMES gave none. */
    record PassedFd(int fd, String name) {
    }

    /**
     * What the variables pass.
     *
     * @param fds     the descriptors to adopt, in order; empty when none or ignored
     * @param ignored why variables that were set are not for this process, or null
     */
    record Passed(List<PassedFd> fds, String ignored) {
    }

    private ListenFds() {
    }

    /**
     * Reads the variables.
     *
     * @param env the master's environment ({@code System.getenv()}, or a test's map)
     * @param pid this process's id
     * @return the descriptors passed to this process
     * @throws IOException naming the variable and the value when one is malformed
     */
    static Passed parse(Map<String, String> env, long pid) throws IOException {
        String pidText = env.get("LISTEN_PID");
        String fdsText = env.get("LISTEN_FDS");
        if (pidText == null && fdsText == null) {
            return new Passed(List.of(), null);
        }
        if (pidText == null) {
            return new Passed(List.of(), "LISTEN_FDS=" + fdsText + " is set but LISTEN_PID is not: ignored");
        }
        long listenPid = number("LISTEN_PID", pidText, Long.MAX_VALUE);
        if (listenPid < 1) {
            throw malformed("LISTEN_PID", pidText, "not a process id");
        }
        if (listenPid != pid) {
            return new Passed(List.of(), "LISTEN_PID=" + pidText + " is not this process (pid " + pid
                    + "): LISTEN_FDS=" + fdsText + " is for another process; ignored");
        }
        if (fdsText == null) {
            return new Passed(List.of(), "LISTEN_PID=" + pidText + " is set but LISTEN_FDS is not: no descriptors");
        }
        int n = (int) number("LISTEN_FDS", fdsText, MAX_FDS);
        String namesText = env.get("LISTEN_FDNAMES");
        String[] names = null;
        if (namesText != null && !(n == 0 && namesText.isEmpty())) {
            names = namesText.split(":", -1);
            if (names.length != n) {
                throw malformed("LISTEN_FDNAMES", namesText, names.length + " name(s) for LISTEN_FDS=" + fdsText);
            }
        }
        List<PassedFd> fds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = names == null || names[i].isEmpty() ? null : names[i];
            fds.add(new PassedFd(FIRST_FD + i, name));
        }
        return new Passed(List.copyOf(fds), null);
    }

    /** A decimal number 0..max, digits only (no sign, no spaces). */
    private static long number(String variable, String text, long max) throws IOException {
        if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw malformed(variable, text, "not a decimal number");
        }
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw malformed(variable, text, "not a decimal number");
        }
        if (v > max) {
            throw malformed(variable, text, "more than " + max);
        }
        return v;
    }

    private static IOException malformed(String variable, String value, String why) {
        return new IOException("socket activation: " + variable + "=\"" + value + "\": " + why
                + " (docs/socket-activation.md)");
    }
}
