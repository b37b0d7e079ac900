package io.procmaster.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The value of {@code import_environment}: which environment variables the children get, in
 * Postfix's syntax (postconf(5)): a list of {@code NAME} and {@code NAME=value} items separated by
 * whitespace or commas. {@code NAME} passes the master's own value on when it has one;
 * {@code NAME=value} sets the variable whatever the master's environment holds.
 *
 * <p>Why it exists: a child's environment is built explicitly, never inherited, so this is the
 * one place where the operator says what a daemon may see. The stock Postfix daemons need it to
 * find a configuration directory other than {@code /etc/postfix}
 * ({@code import_environment = MAIL_CONFIG=/srv/mail/conf}), which Postfix's master does the same
 * way (its {@code -c} option sets {@code MAIL_CONFIG}, and its main.cf can set it with this
 * parameter).
 *
 * <p>Differences from Postfix: no <code>&#123;NAME = value&#125;</code> form, so a value cannot
 * contain whitespace or commas. Applied at master start only, as Postfix's master cleans its
 * environment once.
 *
 * <p>Failure modes: {@link #parse} throws {@link IllegalArgumentException} naming the first bad
 * item (an empty name, or a name that is not letters, digits and underscores).
 */
public final class ImportEnvironment {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** One item: a name, and the value to set, or null to pass the master's own value on. */
    private record Item(String name, String value) {
    }

    private final List<Item> items;

    private ImportEnvironment(List<Item> items) {
        this.items = List.copyOf(items);
    }

    /**
     * Parses the parameter's value.
     *
     * @throws IllegalArgumentException naming the first bad item
     */
    public static ImportEnvironment parse(String value) {
        List<Item> out = new ArrayList<>();
        for (String item : value.strip().split("[,\\s]+")) {
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            String name = eq < 0 ? item : item.substring(0, eq);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("bad environment variable name in \"" + item + "\"");
            }
            out.add(new Item(name, eq < 0 ? null : item.substring(eq + 1)));
        }
        return new ImportEnvironment(out);
    }

    /**
     * The children's environment: each listed name with the master's value ({@code parent}) when
     * it has one, or the value given here. Of two items with the same name, the later one wins if
     * it has a value.
     */
    public Map<String, String> resolve(Map<String, String> parent) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Item i : items) {
            String v = i.value() != null ? i.value() : parent.get(i.name());
            if (v != null) {
                env.put(i.name(), v);
            }
        }
        return env;
    }
}
