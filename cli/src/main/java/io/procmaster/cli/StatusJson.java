package io.procmaster.cli;

import io.procmaster.status.ServiceStatus;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

/**
 * {@code procmaster status --json}: one JSON document (docs/cli.md, "status --json"):
 * <pre>
 * {"master":{"pid":4242,"uptimeSeconds":83.5,"version":"0.1.0"},
 *  "services":[{"id":"[127.0.0.1]:10025/inet","name":"127.0.0.1:10025","maxProc":3,"total":1,...,
 *               "throttleRemainingSeconds":null,...,"counts":{"spawns":1,...}}]}
 * </pre>
 *
 * <p>Every component of {@link ServiceStatus} and of its {@link ServiceStatus.Counts} is a member,
 * under the component's own name, read by reflection so that a new field cannot be left out; a
 * {@link Duration} becomes {@code <name>Seconds}, an exact decimal number of seconds (null when not
 * in that state). One component is left out: {@code throttledUntilNanos}, a reading of the master's
 * monotonic clock that means nothing outside its process ({@code throttleRemainingSeconds} says
 * the same).
 *
 * <p>Failure modes: none for a well-formed status; a component that cannot be read (never for the
 * public records here) is an {@link IllegalStateException}.
 */
final class StatusJson {
    /** Left out of the document, see the class comment. */
    static final String MONOTONIC_COMPONENT = "throttledUntilNanos";

    private StatusJson() {
    }

    static String render(MasterIdentity master, List<ServiceStatus> services) {
        JsonWriter w = new JsonWriter().beginObject();
        w.name("master").beginObject()
                .name("pid").value(master.pid())
                .name("uptimeSeconds").value(seconds(master.uptime()))
                .name("version").value(master.version())
                .endObject();
        w.name("services").beginArray();
        for (ServiceStatus s : services) {
            record(w, s);
        }
        return w.endArray().endObject().toString() + "\n";
    }

    private static void record(JsonWriter w, Record r) {
        w.beginObject();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            if (c.getName().equals(MONOTONIC_COMPONENT)) {
                continue;
            }
            Object v = read(c, r);
            if (c.getType() == Duration.class) {
                w.name(c.getName() + "Seconds").value(v == null ? null : seconds((Duration) v));
            } else {
                w.name(c.getName());
                value(w, v);
            }
        }
        w.endObject();
    }

    private static void value(JsonWriter w, Object v) {
        if (v == null) {
            w.nullValue();
        } else if (v instanceof Record nested) {
            record(w, nested);
        } else if (v instanceof Boolean b) {
            w.value(b);
        } else if (v instanceof Integer || v instanceof Long) {
            w.value(((Number) v).longValue());
        } else {
            w.value(v.toString());
        }
    }

    static Object read(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }

    /** Exact seconds with up to nine decimals. */
    static BigDecimal seconds(Duration d) {
        return BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9));
    }
}
