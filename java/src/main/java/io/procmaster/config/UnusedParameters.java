package io.procmaster.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the parameters that nothing reads, as {@code postconf -n} does, so that a typo such as
 * {@code servce_throttle_time = 5s} is not accepted without a word. The rule is described in
 * {@code docs/configuration.md} ("Unknown parameters").
 *
 * <p>A name is used when it is
 * <ul>
 *   <li>one procmaster reads ({@link MasterConfig#defaultValues()}, {@code throttle_max_time},
 *       {@code -o procmaster_min_idle}, {@code procmaster_maillog}) or one of its example daemons reads ({@code echo_timeout},
 *       {@code echo_max_lines} of pm-echo);</li>
 *   <li>a stock Postfix 3.7 parameter (the resource {@code postfix-parameters.txt}, taken from
 *       {@code postconf -d}): the stock daemons read the same main.cf;</li>
 *   <li>referenced as {@code $name}, {@code ${name...}} or {@code $(name)} in a value of main.cf or
 *       of a master.cf {@code -o};</li>
 *   <li>listed in {@code smtpd_restriction_classes};</li>
 *   <li>{@code <service>_<suffix>} for a master.cf service name and a suffix of Postfix's
 *       per-transport parameters (each {@code default_<suffix>} of the stock list, and
 *       {@code time_limit}); Postfix asks, in addition, that the service run a delivery agent or
 *       spawn: procmaster does not look at the command, so it warns less, never more;</li>
 *   <li>{@code <name>_<anything>} when a value names a database client table
 *       {@code ldap:name}, {@code mysql:name}, {@code pgsql:name}, {@code sqlite:name},
 *       {@code memcache:name} or {@code mongodb:name} (not a file path).</li>
 * </ul>
 *
 * <p>Interface: {@link #warnings}, one message per unused setting, in the order given:
 * {@code <file>: line <n>: unused parameter: <name>=<value>}, followed by
 * {@code  (did you mean <known>?)} when a known name is within {@value #MAX_SUGGESTION_DISTANCE}
 * edits ({@link EditDistance}; never more than a third of the name's length).
 *
 * <p>Failure modes: none for callers; the resource is part of the jar, and its absence is an
 * {@link IllegalStateException} at class initialisation (a broken build).
 */
final class UnusedParameters {

    /** Farthest known name that is suggested for an unused one. */
    static final int MAX_SUGGESTION_DISTANCE = 2;

    private static final String POSTFIX_NAMES = "postfix-parameters.txt";
    private static final Pattern REFERENCE = Pattern.compile("\\$(?:\\{|\\()?([A-Za-z0-9_]+)");
    private static final Pattern DATABASE =
            Pattern.compile("(?:^|[\\s,:])(?:ldap|mysql|pgsql|sqlite|memcache|mongodb):([A-Za-z0-9_][A-Za-z0-9_.-]*)");
    private static final String RESTRICTION_CLASSES = "smtpd_restriction_classes";

    private static final Set<String> FIXED;
    private static final List<String> FIXED_IN_ORDER;
    private static final List<String> PER_SERVICE_SUFFIXES;

    static {
        Set<String> names = new TreeSet<>(MasterConfig.defaultValues().keySet());
        names.add(MasterConfig.THROTTLE_MAX_TIME);
        names.add(ServiceSpec.MIN_IDLE_OPTION);
        names.add(MaillogSettings.SWITCH);
        names.add("echo_timeout");
        names.add("echo_max_lines");
        List<String> suffixes = new ArrayList<>();
        suffixes.add("time_limit");
        for (String n : postfixNames()) {
            names.add(n);
            if (n.startsWith("default_")) {
                suffixes.add(n.substring("default_".length()));
            }
        }
        FIXED = Set.copyOf(names);
        FIXED_IN_ORDER = List.copyOf(names);
        PER_SERVICE_SUFFIXES = List.copyOf(suffixes);
    }

    private UnusedParameters() {
    }

    /**
     * The warnings for the settings of {@code mainCf} and {@code masterCf} that nothing reads,
     * main.cf's first, each list in its order.
     *
     * @param serviceNames the names of master.cf's services (field 1)
     */
    public static List<String> warnings(List<ParameterSetting> mainCf, List<ParameterSetting> masterCf,
                                        Collection<String> serviceNames) {
        Set<String> referenced = new HashSet<>();
        Set<String> databases = new HashSet<>();
        List<ParameterSetting> all = new ArrayList<>(mainCf);
        all.addAll(masterCf);
        for (ParameterSetting s : all) {
            Matcher m = REFERENCE.matcher(s.value());
            while (m.find()) {
                referenced.add(m.group(1));
            }
            Matcher d = DATABASE.matcher(s.value());
            while (d.find()) {
                databases.add(d.group(1));
            }
            if (s.name().equals(RESTRICTION_CLASSES)) {
                for (String c : s.value().split("[\\s,]+")) {
                    if (!c.isEmpty()) {
                        referenced.add(c);
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (ParameterSetting s : all) {
            if (isUsed(s.name(), referenced, databases, serviceNames)) {
                continue;
            }
            String w = s.file() + ": line " + s.line() + ": unused parameter: " + s.name() + "=" + s.value();
            String near = nearest(s.name());
            out.add(near == null ? w : w + " (did you mean " + near + "?)");
        }
        return List.copyOf(out);
    }

    private static boolean isUsed(String name, Set<String> referenced, Set<String> databases,
                                  Collection<String> serviceNames) {
        if (FIXED.contains(name) || referenced.contains(name)) {
            return true;
        }
        for (String service : serviceNames) {
            if (name.length() > service.length() + 1 && name.startsWith(service)
                    && name.charAt(service.length()) == '_'
                    && PER_SERVICE_SUFFIXES.contains(name.substring(service.length() + 1))) {
                return true;
            }
        }
        for (String db : databases) {
            if (name.length() > db.length() + 1 && name.startsWith(db) && name.charAt(db.length()) == '_') {
                return true;
            }
        }
        return false;
    }

    /** The known name nearest {@code name}, or null when none is near enough; ties go to the first in order. */
    static String nearest(String name) {
        int limit = Math.min(MAX_SUGGESTION_DISTANCE, name.length() / 3);
        String best = null;
        int bestDistance = limit + 1;
        for (String known : FIXED_IN_ORDER) {
            if (Math.abs(known.length() - name.length()) > limit) {
                continue;
            }
            int d = EditDistance.between(name, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return best;
    }

    private static List<String> postfixNames() {
        InputStream in = UnusedParameters.class.getResourceAsStream(POSTFIX_NAMES);
        if (in == null) {
            throw new IllegalStateException("resource " + POSTFIX_NAMES + " is missing from the build");
        }
        List<String> names = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    names.add(t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }
}
