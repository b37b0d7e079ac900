package io.procmaster.os.jni;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The constants the C side hands over at class initialisation ({@code Native.constants0}), as
 * {@code NAME=value} strings, looked up by name: the order of the C table
 * ({@code native/src/jni_native.c}) does not matter, so adding or moving an entry there cannot
 * shift any other.
 *
 * <p>Interface: {@link #parse} the strings, then {@link #get} each name Java needs; {@link #missing()}
 * afterwards names every name asked for that the library did not define. {@link #none()} is the
 * table of a library that did not load: every lookup gives -1 and nothing is reported missing
 * (the load failure is the cause then).
 *
 * <p>Failure modes: {@link #parse} throws {@link IllegalStateException} for an entry that is not
 * {@code NAME=int} or a name given twice; {@link #get} never throws (a missing name gives -1 and is
 * remembered for {@link #missing()}). Not thread-safe: used by one class initialiser.
 */
final class NativeConstants {
    private final Map<String, Integer> values;
    private final boolean loaded;
    private final List<String> missing = new ArrayList<>();

    private NativeConstants(Map<String, Integer> values, boolean loaded) {
        this.values = values;
        this.loaded = loaded;
    }

    /** The table of a library that did not load. */
    static NativeConstants none() {
        return new NativeConstants(Map.of(), false);
    }

    /** Parses {@code NAME=value} entries. */
    static NativeConstants parse(String[] entries) {
        Map<String, Integer> values = new HashMap<>();
        for (String e : entries) {
            int eq = e == null ? -1 : e.indexOf('=');
            if (eq <= 0) {
                throw new IllegalStateException("libprocmaster returned a malformed constant: \"" + e + "\"");
            }
            int v;
            try {
                v = Integer.parseInt(e.substring(eq + 1));
            } catch (NumberFormatException x) {
                throw new IllegalStateException("libprocmaster returned a malformed constant: \"" + e + "\"");
            }
            if (values.put(e.substring(0, eq), v) != null) {
                throw new IllegalStateException("libprocmaster returned the constant " + e.substring(0, eq) + " twice");
            }
        }
        return new NativeConstants(values, true);
    }

    /** The value of {@code name}, or -1 when the library did not define it (then remembered as missing). */
    int get(String name) {
        Integer v = values.get(name);
        if (v == null) {
            if (loaded) {
                missing.add(name);
            }
            return -1;
        }
        return v;
    }

    /**
     * An error naming every constant asked for that a loaded library lacks (the library and the
     * classes are from different versions), or null when none is missing.
     */
    IllegalStateException missing() {
        if (missing.isEmpty()) {
            return null;
        }
        return new IllegalStateException("libprocmaster does not define the constant" + (missing.size() > 1 ? "s " : " ")
                + String.join(", ", missing) + ": the library and the classes are from different versions");
    }
}
