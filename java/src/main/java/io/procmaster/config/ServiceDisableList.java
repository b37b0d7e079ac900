package io.procmaster.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code master_service_disable} list (docs/postfix-master.md §1.1.6): which master.cf entries to skip.
 *
 * <p>Patterns are {@code type} or {@code name/type} (the old form {@code name.type} is also
 * accepted when the part after the last dot is a transport type), separated by commas and/or
 * whitespace. Matching is case-insensitive against field 1 as written and field 2, and stops
 * at the first matching pattern; {@code !pattern} makes a match mean "not disabled". No
 * wildcards, {@code /file} or {@code type:table} forms.
 *
 * <p>Failure modes: none; a pattern that can never match simply never matches.
 */
final class ServiceDisableList {

    private record Pattern(boolean negated, String name, String type) {
    }

    private final List<Pattern> patterns;

    private ServiceDisableList(List<Pattern> patterns) {
        this.patterns = patterns;
    }

    /** Parses a {@code master_service_disable} value; empty means nothing is disabled. */
    public static ServiceDisableList parse(String value) {
        List<Pattern> out = new ArrayList<>();
        for (String item : value.trim().split("[,\\s]+")) {
            if (item.isEmpty()) {
                continue;
            }
            boolean neg = item.startsWith("!");
            String p = (neg ? item.substring(1) : item).toLowerCase(Locale.ROOT);
            int slash = p.lastIndexOf('/');
            int dot = p.lastIndexOf('.');
            if (slash >= 0) {
                out.add(new Pattern(neg, p.substring(0, slash), p.substring(slash + 1)));
            } else if (dot >= 0 && ServiceType.fromToken(p.substring(dot + 1)).isPresent()) {
                out.add(new Pattern(neg, p.substring(0, dot), p.substring(dot + 1)));
            } else {
                out.add(new Pattern(neg, null, p));
            }
        }
        return new ServiceDisableList(List.copyOf(out));
    }

    /** Whether nothing can be disabled. */
    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** Whether the entry with field 1 {@code name} and field 2 {@code type} is to be skipped. */
    public boolean disables(String name, String type) {
        String n = name.toLowerCase(Locale.ROOT);
        String t = type.toLowerCase(Locale.ROOT);
        for (Pattern p : patterns) {
            if (p.type.equals(t) && (p.name == null || p.name.equals(n))) {
                return !p.negated;
            }
        }
        return false;
    }
}
