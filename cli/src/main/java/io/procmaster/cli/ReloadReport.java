package io.procmaster.cli;

import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceTable;
import io.procmaster.status.ReloadSummary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a reload changed, in words, for {@code procmaster reload} and its log line (docs/cli.md,
 * "reload"):
 * {@code reloaded: added smtpd (2525/inet); removed pickup (public/pickup/fifo); changed cleanup
 * (private/cleanup/unix): maxproc 1 -> 2; unchanged: 3}.
 *
 * <p>The master's {@link ReloadSummary} says which services were added, kept (restarted), removed
 * (now draining) and rejected; a kept one is {@code changed} when its master.cf entry differs from
 * the one in effect before (field by field, as master.cf spells them: private, unpriv, chroot,
 * wakeup, maxproc, command, args, min_idle, and the program and listen backlog they give; any other
 * difference of the service model is "other settings") and counted as unchanged otherwise. A kept service that
 * the table before did not have was being removed and is back: {@code returned}.
 *
 * <p>Failure modes: none; ids the tables do not know are named by id alone.
 */
final class ReloadReport {

    /** One master.cf field of an entry as it is written, for "field old -> new". */
    private record Field(String name, Function<ServiceSpec, Object> value) {
    }

    private static final List<Field> FIELDS = List.of(
            new Field("private", s -> yn(s.isPrivate())),
            new Field("unpriv", s -> yn(s.isUnprivileged())),
            new Field("chroot", s -> yn(s.isChroot())),
            new Field("wakeup", ServiceSpec::wakeupText),
            new Field("maxproc", ServiceSpec::maxProc),
            new Field("command", ServiceSpec::command),
            new Field("args", s -> String.join(" ", s.args())),
            new Field("min_idle", ServiceSpec::minIdle),
            // The entry's own cgroup limits (- where main.cf's apply), rewritten in place by a reload (docs/cgroups.md).
            new Field("service_memory_max", s -> orDash(s.cgroupLimits().memoryMax())),
            new Field("service_pids_max", s -> orDash(s.cgroupLimits().pidsMax())),
            new Field("service_cpu_max", s -> orDash(s.cgroupLimits().cpuMax())),
            new Field("program", ServiceSpec::executable),
            new Field("listen_backlog", ServiceSpec::listenBacklog));

    private ReloadReport() {
    }

    private static String orDash(String v) {
        return v == null ? "-" : v;
    }

    /** The sentence for {@code summary}, with {@code before} and {@code after} the tables in effect around it. */
    static String describe(ReloadSummary summary, ServiceTable before, ServiceTable after) {
        Map<String, ServiceSpec> old = byId(before);
        Map<String, ServiceSpec> now = byId(after);
        List<String> parts = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> returned = new ArrayList<>();
        int unchanged = 0;
        for (String id : summary.restarted()) {
            ServiceSpec was = old.get(id);
            ServiceSpec is = now.get(id);
            if (was == null) {
                returned.add(label(id, now));
                continue;
            }
            String diff = is == null ? "" : diff(was, is);
            if (diff.isEmpty()) {
                unchanged++;
            } else {
                changed.add(label(id, now) + ": " + diff);
            }
        }
        list(parts, "added", summary.added().stream().map(id -> label(id, now)).toList());
        list(parts, "removed", summary.removing().stream().map(id -> label(id, old)).toList());
        list(parts, "returned", returned);
        for (String c : changed) {
            parts.add("changed " + c);
        }
        list(parts, "rejected", summary.rejected());
        if (parts.isEmpty()) {
            parts.add("no changes");
        }
        parts.add("unchanged: " + unchanged);
        return "reloaded: " + String.join("; ", parts);
    }

    private static String diff(ServiceSpec was, ServiceSpec is) {
        List<String> d = new ArrayList<>();
        if (!was.name().equals(is.name())) {
            d.add("service " + was.name() + " -> " + is.name());
        }
        for (Field f : FIELDS) {
            Object a = f.value().apply(was);
            Object b = f.value().apply(is);
            if (!Objects.equals(a, b)) {
                d.add(f.name() + " " + shown(a) + " -> " + shown(b));
            }
        }
        if (d.isEmpty() && !was.equals(is)) {
            // A difference the fields above do not name (e.g. the listen endpoints a name resolves
            // to): still a change, never "unchanged".
            d.add("other settings");
        }
        return String.join(", ", d);
    }

    private static String shown(Object v) {
        String s = String.valueOf(v);
        return s.isEmpty() ? "(none)" : s;
    }

    private static void list(List<String> parts, String what, List<String> ids) {
        if (!ids.isEmpty()) {
            parts.add(what + " " + String.join(", ", ids));
        }
    }

    /** {@code smtpd (2525/inet)}: the name as master.cf writes it and the id status shows. */
    private static String label(String id, Map<String, ServiceSpec> table) {
        ServiceSpec s = table.get(id);
        return s == null ? id : s.name() + " (" + id + ")";
    }

    private static Map<String, ServiceSpec> byId(ServiceTable table) {
        Map<String, ServiceSpec> m = new HashMap<>();
        if (table != null) {
            table.services().forEach(s -> m.put(s.key().toString(), s));
        }
        return m;
    }

    private static String yn(boolean b) {
        return b ? "y" : "n";
    }
}
