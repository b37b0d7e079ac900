package io.procmaster.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The parsers of {@link MasterConfig}'s parameter values: numbers in bounds, time values, paths,
 * {@code yes}/{@code no}, a user, inet_interfaces. Each takes the value as written and returns it
 * parsed.
 *
 * <p>Failure modes: a bad value throws {@link IllegalArgumentException} whose message is the
 * reason alone; {@link MasterConfig} adds the parameter and value, the main.cf parser file and line.
 */
final class ParameterValues {
    private ParameterValues() {
    }

    static Boolean yesNo(String v) {
        return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException("expected yes or no");
        };
    }

    static int integer(String v, int min, int max) {
        String t = v.strip();
        if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("expected a decimal number");
        }
        int n;
        try {
            n = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("value too large");
        }
        if (n < min) {
            throw new IllegalArgumentException("must be at least " + min);
        }
        if (n > max) {
            throw new IllegalArgumentException("must be at most " + max);
        }
        return n;
    }

    static Duration time(String v, int minSeconds) {
        Duration d = TimeValues.parse(v, 's');
        if (d.getSeconds() < minSeconds) {
            throw new IllegalArgumentException("must be at least " + minSeconds + "s");
        }
        if (d.compareTo(MasterConfig.MAX_TIME) > 0) {
            throw new IllegalArgumentException("must be at most " + TimeValues.format(MasterConfig.MAX_TIME));
        }
        return d;
    }

    static Path path(String v) {
        String t = v.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty path");
        }
        return Path.of(t);
    }

    static Path absolutePath(String v) {
        Path p = path(v);
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException("must be an absolute path");
        }
        return p;
    }

    /** A user known to the system (getpwnam), or null for an empty value. */
    static UserPrincipal user(String v) {
        String t = v.strip();
        if (t.isEmpty()) {
            return null;
        }
        // The JDK would take a number for a uid, known or not; Postfix wants a name.
        if (t.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("a user name is expected, not a number");
        }
        // As Postfix: the daemons drop their privileges to this user, so it must have none.
        if (t.equals("root")) {
            throw new IllegalArgumentException("must not be root (the daemons drop their privileges to it)");
        }
        try {
            return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(t);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("unknown user");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot look the user up: " + e.getMessage());
        }
    }

    static List<String> interfaces(String v) {
        String t = v.strip();
        if (t.equalsIgnoreCase("all")) {
            return MasterConfig.ALL;
        }
        if (t.equalsIgnoreCase("loopback-only")) {
            return List.of("127.0.0.1", "::1");
        }
        List<String> out = new ArrayList<>();
        for (String item : t.split("[,\\s]+")) {
            if (item.isEmpty()) {
                continue;
            }
            String host;
            try {
                host = InetNames.canonicalHost(item);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad hostname or network address: " + item);
            }
            if (!out.contains(host)) {
                out.add(host);
            }
        }
        return List.copyOf(out);
    }
}
