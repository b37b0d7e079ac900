package io.procmaster.config;

import io.procmaster.ServiceKey;
import io.procmaster.ServiceSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a reload changes: the difference between the running service table and a newly
 * parsed one, matched by {@link ServiceKey} (canonical name and type), as in docs/postfix-master.md §7.2.
 *
 * <ul>
 *   <li>{@link #added()}: keys only in the new table (start them).</li>
 *   <li>{@link #removed()}: keys only in the old table (drain them).</li>
 *   <li>{@link #changed()}: same key, some attribute differs; {@link Change#needsRestart()}
 *       says whether the children must be replaced (their executable or argument vector
 *       differs, or max_proc changed) or only master-side settings moved (wakeup, throttle
 *       time, min_idle, backlog).</li>
 *   <li>{@link #unchanged()}: equal in both.</li>
 * </ul>
 *
 * <p>A service whose key stays but whose listen endpoints differ (a {@code host:port} name
 * whose addresses changed, or a new {@code inet_interfaces}) is reported as removed and
 * added, as docs/postfix-master.md §10 W10 recommends: its sockets must be rebound. Postfix itself ignores an
 * {@code inet_interfaces} change on reload; whether to apply one is the caller's choice.
 *
 * <p>Note that a Postfix reload restarts every existing service (new status channel), even
 * an unchanged one; {@code needsRestart} is procmaster's finer answer for the caller.
 *
 * @param added     in new order
 * @param removed   in old order
 * @param changed   in new order
 * @param unchanged in new order
 */
public record ServiceDiff(List<ServiceSpec> added, List<ServiceSpec> removed, List<Change> changed,
                          List<ServiceSpec> unchanged) {

    /**
     * One service present in both tables with different attributes.
     *
     * @param before       the running definition
     * @param after        the new definition
     * @param attributes   names of the attributes that differ, e.g. {@code max_proc}, {@code args}
     * @param needsRestart whether the children must be replaced
     */
    public record Change(ServiceSpec before, ServiceSpec after, List<String> attributes, boolean needsRestart) {
    }

    public ServiceDiff {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        unchanged = List.copyOf(unchanged);
    }

    /** The difference from {@code before} to {@code after}. */
    public static ServiceDiff between(ServiceTable before, ServiceTable after) {
        Map<ServiceKey, ServiceSpec> old = before.asMap();
        Map<ServiceKey, ServiceSpec> neu = after.asMap();
        List<ServiceSpec> added = new ArrayList<>();
        List<ServiceSpec> removed = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        List<ServiceSpec> unchanged = new ArrayList<>();
        List<ServiceSpec> rebound = new ArrayList<>();
        for (ServiceSpec n : after.services()) {
            ServiceSpec o = old.get(n.key());
            if (o == null) {
                added.add(n);
            } else if (!o.listenEndpoints().equals(n.listenEndpoints())) {
                rebound.add(o);
                added.add(n);
            } else if (o.equals(n)) {
                unchanged.add(n);
            } else {
                changed.add(compare(o, n));
            }
        }
        for (ServiceSpec o : before.services()) {
            if (!neu.containsKey(o.key()) || rebound.contains(o)) {
                removed.add(o);
            }
        }
        return new ServiceDiff(added, removed, changed, unchanged);
    }

    /** Whether the two tables define the same services with the same attributes. */
    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /** One line per added, removed and changed service, for logs and {@code procmaster check}. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        for (ServiceSpec s : removed) {
            sb.append("removed ").append(label(s)).append('\n');
        }
        for (ServiceSpec s : added) {
            sb.append("added ").append(label(s)).append('\n');
        }
        for (Change c : changed) {
            sb.append("changed ").append(label(c.after())).append(": ").append(String.join(", ", c.attributes()))
                    .append(c.needsRestart() ? " (restart)" : " (no restart)").append('\n');
        }
        return sb.toString();
    }

    private static String label(ServiceSpec s) {
        return "\"" + s.name() + "\" (" + s.canonicalName() + ") " + s.type().token();
    }

    private static Change compare(ServiceSpec o, ServiceSpec n) {
        List<String> attrs = new ArrayList<>();
        diff(attrs, "name", o.name(), n.name());
        diff(attrs, ServiceSpec.F_UNPRIV, o.isUnprivileged(), n.isUnprivileged());
        diff(attrs, ServiceSpec.F_CHROOT, o.isChroot(), n.isChroot());
        diff(attrs, ServiceSpec.F_WAKEUP, o.wakeupText(), n.wakeupText());
        diff(attrs, ServiceSpec.F_MAXPROC, o.maxProc(), n.maxProc());
        diff(attrs, ServiceSpec.F_COMMAND, o.command(), n.command());
        diff(attrs, "executable", o.executable(), n.executable());
        diff(attrs, ServiceSpec.F_ARGS, o.args(), n.args());
        diff(attrs, "min_idle", o.minIdle(), n.minIdle());
        diff(attrs, "throttle_time", o.throttleTime(), n.throttleTime());
        diff(attrs, "listen_backlog", o.listenBacklog(), n.listenBacklog());
        boolean restart = !o.executable().equals(n.executable()) || o.maxProc() != n.maxProc()
                || !o.childArgv(false, false, false).equals(n.childArgv(false, false, false));
        return new Change(o, n, attrs, restart);
    }

    private static void diff(List<String> attrs, String name, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            attrs.add(name);
        }
    }
}
