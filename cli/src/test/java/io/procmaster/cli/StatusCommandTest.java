package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procmaster.status.ServiceStatus;
import io.procmaster.testing.Await;
import io.procmaster.testing.MasterFixture;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, CLI and metrics: {@code procmaster status} against a live master: the pid, uptime and
 * version line first; {@code --json} read back with Jackson and checked against the master's own
 * {@link io.procmaster.Master#status()}; {@code --format openmetrics} checked line by line for the
 * format (docs/cli.md).
 */
class StatusCommandTest {
    /** A path service whose name needs escaping in JSON and in OpenMetrics label values. */
    private static final String ODD_NAME = "we\"ird\\name";

    private static LiveMaster quietMasterAfterOneEcho(Path dir) throws Exception {
        int port = MasterFixture.freePort();
        LiveMaster m = LiveMaster.start(dir, "127.0.0.1:" + port + " inet n - n - 3 pm-echo\n"
                + ODD_NAME + " unix - - n - 2 pm-echo\n");
        assertThat(MasterFixture.echo(port, "hello", 5000)).isEqualTo("hello");
        // Quiet: the child that served is idle again, so nothing changes between two snapshots.
        Await.until("the echo child idle again", Duration.ofSeconds(10), m.master::status,
                l -> l.stream().allMatch(s -> s.avail() == s.total()) && l.get(0).spawns() == 1);
        return m;
    }

    @Test
    void statusShowsPidUptimeAndVersionFirstThenTheTable(@TempDir Path dir) throws Exception {
        try (LiveMaster m = quietMasterAfterOneEcho(dir)) {
            CliRun r = m.cli("status");
            assertThat(r.code()).as(r.err()).isZero();
            String[] lines = r.out().split("\n");
            Matcher head = Pattern.compile("procmaster is running: PID: (\\d+), uptime: (\\S+), version: (\\S+)")
                    .matcher(lines[0]);
            assertThat(head.matches()).as(lines[0]).isTrue();
            assertThat(Long.parseLong(head.group(1))).isEqualTo(ProcessHandle.current().pid());
            assertThat(io.procmaster.time.Durations.parse(head.group(2))).isLessThanOrEqualTo(m.master.uptime());
            assertThat(head.group(3)).isEqualTo(System.getProperty("procmaster.test.version"));
            assertThat(lines[1]).startsWith("service");
            assertThat(r.out()).contains("[127.0.0.1]:").doesNotContain("PT");
        }
    }

    @Test
    void statusJsonIsOneDocumentWithEveryFieldOfEveryService(@TempDir Path dir) throws Exception {
        try (LiveMaster m = quietMasterAfterOneEcho(dir)) {
            Duration uptimeBefore = m.master.uptime();
            CliRun r = m.cli("status", "--json");
            Duration uptimeAfter = m.master.uptime();
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode doc = new ObjectMapper().readTree(r.out()); // fails on anything but one JSON text
            CliRun viaFormat = m.cli("status", "--format", "json");
            assertThat(withoutUptime(viaFormat.out())).as("--format json is --json").isEqualTo(withoutUptime(r.out()));

            JsonNode master = doc.get("master");
            assertThat(master.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(master.get("version").asText()).isEqualTo(System.getProperty("procmaster.test.version"));
            BigDecimal uptime = master.get("uptimeSeconds").decimalValue();
            assertThat(uptime).isBetween(StatusJson.seconds(uptimeBefore), StatusJson.seconds(uptimeAfter));

            List<ServiceStatus> live = m.master.status();
            JsonNode services = doc.get("services");
            assertThat(services.size()).isEqualTo(live.size()).isEqualTo(2);
            for (int i = 0; i < live.size(); i++) {
                assertMatches(services.get(i), live.get(i), live.get(i).id());
            }
            assertThat(services.get(1).get("name").asText()).isEqualTo(ODD_NAME);
            assertThat(services.get(0).get("counts").get("spawns").asLong()).isEqualTo(1);
        }
    }

    private static String withoutUptime(String json) {
        return json.replaceFirst("\"uptimeSeconds\":[0-9.]+", "");
    }

    /** Every component of the record is a member with the same value (a Duration as exact seconds). */
    private static void assertMatches(JsonNode json, Record expected, String where) throws Exception {
        Set<String> members = new HashSet<>();
        json.fieldNames().forEachRemaining(members::add);
        Set<String> wanted = new HashSet<>();
        for (RecordComponent c : expected.getClass().getRecordComponents()) {
            if (c.getName().equals(StatusJson.MONOTONIC_COMPONENT)) {
                continue;
            }
            Object v = c.getAccessor().invoke(expected);
            String name = c.getType() == Duration.class ? c.getName() + "Seconds" : c.getName();
            wanted.add(name);
            JsonNode node = json.get(name);
            assertThat(node).as("%s: member %s", where, name).isNotNull();
            String what = where + "." + name;
            if (v == null) {
                assertThat(node.isNull()).as(what).isTrue();
            } else if (v instanceof Record nested) {
                assertMatches(node, nested, what);
            } else if (v instanceof Duration d) {
                assertThat(node.decimalValue()).as(what).isEqualByComparingTo(StatusJson.seconds(d));
            } else if (v instanceof Boolean b) {
                assertThat(node.isBoolean() && node.asBoolean() == b).as(what + " = " + node).isTrue();
            } else if (v instanceof Number n) {
                assertThat(node.isIntegralNumber() && node.asLong() == n.longValue()).as(what + " = " + node).isTrue();
            } else {
                assertThat(node.asText()).as(what).isEqualTo(v.toString());
            }
        }
        assertThat(members).as("%s: the members are the record's components", where).isEqualTo(wanted);
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern DESCRIPTOR = Pattern.compile("# (TYPE|HELP|UNIT) (" + NAME + ") (.*)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "info", "stateset", "unknown", "histogram",
            "gaugehistogram", "summary");

    @Test
    void statusOpenMetricsIsWellFormedAndCarriesTheCounters(@TempDir Path dir) throws Exception {
        try (LiveMaster m = quietMasterAfterOneEcho(dir)) {
            CliRun r = m.cli("status", "--format", "openmetrics");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).endsWith("\n# EOF\n");
            List<ServiceStatus> live = m.master.status();
            Map<String, String> typeOf = new HashMap<>();
            Map<String, String> valueOf = new HashMap<>(); // "name{labels}" -> value
            String family = null;
            List<String> lines = List.of(r.out().split("\n", -1));
            assertThat(lines.get(lines.size() - 1)).isEmpty(); // the text ends with a line feed
            for (String line : lines.subList(0, lines.size() - 2)) { // up to "# EOF"
                Matcher d = DESCRIPTOR.matcher(line);
                Matcher s = SAMPLE.matcher(line);
                if (d.matches()) {
                    if (d.group(1).equals("TYPE")) {
                        assertThat(typeOf).as("one TYPE per family: %s", line).doesNotContainKey(d.group(2));
                        assertThat(TYPES).as(line).contains(d.group(3));
                        typeOf.put(d.group(2), d.group(3));
                        family = d.group(2);
                    } else {
                        assertThat(d.group(2)).as("%s belongs to the family just typed", line).isEqualTo(family);
                        if (d.group(1).equals("UNIT")) {
                            assertThat(family).as("a family with a unit ends with it").endsWith("_" + d.group(3));
                        }
                    }
                } else if (s.matches()) {
                    assertThat(family).as("a sample after its family's TYPE: %s", line).isNotNull();
                    String suffix = switch (typeOf.get(family)) {
                        case "counter" -> "_total";
                        case "info" -> "_info";
                        default -> "";
                    };
                    assertThat(s.group(1)).as(line).isEqualTo(family + suffix);
                    if (s.group(3) != null) {
                        String labels = s.group(3);
                        assertThat(labels.replaceAll(LABEL.pattern(), "").replace(",", "")).as("labels of %s", line)
                                .isEmpty();
                    }
                    assertThat(new BigDecimal(s.group(4))).as(line).isNotNull();
                    valueOf.put(s.group(1) + (s.group(2) == null ? "" : s.group(2)), s.group(4));
                } else {
                    throw new AssertionError("neither a descriptor nor a sample: " + line);
                }
            }
            assertThat(lines.get(lines.size() - 2)).isEqualTo("# EOF");
            assertThat(r.out().indexOf("# EOF")).as("# EOF only at the end").isEqualTo(r.out().length() - 6);

            assertThat(valueOf).containsEntry("procmaster_master_pid", Long.toString(ProcessHandle.current().pid()));
            assertThat(valueOf).containsEntry(
                    "procmaster_build_info{version=\"" + System.getProperty("procmaster.test.version") + "\"}", "1");
            for (ServiceStatus st : live) {
                String label = "{service=\"" + st.id().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
                assertThat(valueOf).containsEntry("procmaster_service_processes" + label, Integer.toString(st.total()));
                assertThat(valueOf).containsEntry("procmaster_service_processes_available" + label,
                        Integer.toString(st.avail()));
                assertThat(valueOf).containsEntry("procmaster_service_process_limit" + label,
                        Integer.toString(st.maxProc()));
                for (RecordComponent c : ServiceStatus.Counts.class.getRecordComponents()) {
                    String name = "procmaster_service_" + StatusOpenMetrics.snakeCase(c.getName());
                    assertThat(typeOf).containsEntry(name, "counter");
                    assertThat(valueOf).containsEntry(name + "_total" + label,
                            c.getAccessor().invoke(st.counts()).toString());
                }
            }
            assertThat(valueOf).containsEntry("procmaster_service_spawns_total{service=\"" + live.get(0).id() + "\"}",
                    "1");
            assertThat(new ArrayList<>(typeOf.keySet())).allMatch(n -> n.startsWith("procmaster_"));
        }
    }

    @Test
    void anUnknownFormatIsAUsageErrorAndAnUnknownWordIsRefusedByTheMaster(@TempDir Path dir) throws Exception {
        try (LiveMaster m = LiveMaster.start(dir, "")) {
            CliRun bad = m.cli("status", "--format", "xml");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.err()).contains("xml");
            CliRun both = m.cli("status", "--json", "--format", "openmetrics");
            assertThat(both.code()).isEqualTo(2);
            assertThat(MasterCommands.answer(m.master, "status xml")).startsWith("error: unknown status format \"xml\"");
        }
    }
}
