package io.procmaster.config;

import static io.procmaster.config.MasterCfParserTest.config;
import static io.procmaster.config.MasterCfParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.MasterConfig;
import io.procmaster.ServiceSpec;
import io.procmaster.ServiceType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The service table: format() for "procmaster check" and diff() for reload (docs/postfix-master.md §7.2, W10). */
class ServiceTableTest {

    private static final String FILE = String.join("\n",
            "smtp      inet  n - n - - smtpd",
            "pickup    unix  n - n 60 1 pickup",
            "tlsmgr    unix  - - n 1000? 1 tlsmgr",
            "cleanup   unix  n - n - 0 cleanup -o a=b { x y }",
            "");

    @Test
    void formatPrintsOneAlignedRowPerServiceWithResolvedValues() throws Exception {
        assertThat(parse(FILE).format()).isEqualTo(String.join("\n",
                "# service type private unpriv chroot wakeup maxproc command + args",
                "smtp      inet n       y      n      0      100     smtpd",
                "pickup    unix n       y      n      60     1       pickup",
                "tlsmgr    unix y       y      n      1000?  1       tlsmgr",
                "cleanup   unix n       y      n      0      0       cleanup -o a=b { x y }",
                ""));
    }

    @Test
    void formattedTableParsesBackToAnEqualTable() throws Exception {
        ServiceTable t = parse(FILE + "foo unix - - n - 4 cmd {} -o procmaster_min_idle=2\n");
        ServiceTable again = parse(t.format());
        assertThat(again).isEqualTo(t);
        assertThat(again.services()).isEqualTo(t.services());
    }

    @Test
    void ofResolvesDuplicatesLastWinsAtTheFirstPosition() throws Exception {
        ServiceSpec a1 = ServiceSpec.builder("a", ServiceType.UNIX).command("one").build();
        ServiceSpec b = ServiceSpec.builder("b", ServiceType.UNIX).command("b").build();
        ServiceSpec a2 = ServiceSpec.builder("a", ServiceType.UNIX).command("two").build();
        ServiceTable t = ServiceTable.of(List.of(a1, b, a2));
        assertThat(t.services()).containsExactly(a2, b);
        assertThat(t.warnings()).containsExactly(
                "duplicate master.cf entry for service \"a\" (private/a) -- using the last entry");
    }

    @Test
    void diffOfEqualTablesIsEmpty() throws Exception {
        ServiceDiff d = ServiceTable.diff(parse(FILE), parse(FILE));
        assertThat(d.isEmpty()).isTrue();
        assertThat(d.unchanged()).hasSize(4);
        assertThat(d.format()).isEmpty();
    }

    @Test
    void scenario19_diffReportsAddedServices() throws Exception {
        ServiceDiff d = ServiceTable.diff(parse(FILE), parse(FILE + "new unix - - n - - new\n"));
        assertThat(d.added()).extracting(ServiceSpec::name).containsExactly("new");
        assertThat(d.removed()).isEmpty();
        assertThat(d.format()).isEqualTo("added \"new\" (private/new) unix\n");
    }

    @Test
    void scenario18_diffReportsRemovedServices() throws Exception {
        ServiceDiff d = ServiceTable.diff(parse(FILE), parse("smtp inet n - n - - smtpd\n"));
        assertThat(d.removed()).extracting(ServiceSpec::name).containsExactly("pickup", "tlsmgr", "cleanup");
        assertThat(d.added()).isEmpty();
        assertThat(d.unchanged()).extracting(ServiceSpec::name).containsExactly("smtp");
    }

    @Test
    void changingPrivacyOrTypeIsRemovePlusAdd() throws Exception {
        ServiceDiff d = ServiceTable.diff(parse("foo unix - - n - - x\n"), parse("foo unix n - n - - x\nfoo fifo n - n - - x\n"));
        assertThat(d.removed()).extracting(s -> s.key().toString()).containsExactly("private/foo/unix");
        assertThat(d.added()).extracting(s -> s.key().toString()).containsExactly("public/foo/unix", "public/foo/fifo");
    }

    @Test
    void commandArgsAndMaxprocChangesNeedARestart() throws Exception {
        ServiceTable old = parse("a unix - - n - 5 cmd\nb unix - - n - 5 cmd\nc unix - - n - 5 cmd\n");
        ServiceTable neu = parse("a unix - - n - 5 other\nb unix - - n - 5 cmd -v\nc unix - - n - 6 cmd\n");
        List<ServiceDiff.Change> changes = ServiceTable.diff(old, neu).changed();
        assertThat(changes).extracting(c -> c.attributes()).containsExactly(
                List.of("command", "executable"), List.of("args"), List.of("max_proc"));
        assertThat(changes).allMatch(ServiceDiff.Change::needsRestart);
    }

    @Test
    void unprivAndChrootChangesNeedARestartBecauseArgvChanges() throws Exception {
        ServiceDiff d = ServiceTable.diff(parse("a unix - - n - 5 cmd\n"), parse("a unix - n y - 5 cmd\n"));
        assertThat(d.changed()).singleElement().satisfies(c -> {
            assertThat(c.attributes()).containsExactly("unprivileged", "chroot");
            assertThat(c.needsRestart()).isTrue();
        });
    }

    @Test
    void wakeupMinIdleAndThrottleChangesNeedNoRestart() throws Exception {
        ServiceTable old = parse("a unix - - n 60 5 cmd\n");
        ServiceTable neu = new MasterCfParser(config(Map.of(MasterConfig.SERVICE_THROTTLE_TIME, "2m",
                MasterConfig.SERVICES_FILE, ""))).parse("master.cf", "a unix - - n 30? 5 cmd -o procmaster_min_idle=1\n");
        ServiceDiff d = ServiceTable.diff(old, neu);
        assertThat(d.changed()).singleElement().satisfies(c -> {
            assertThat(c.attributes()).containsExactly("wakeup_time", "min_idle", "throttle_time");
            assertThat(c.needsRestart()).isFalse();
        });
        assertThat(d.format()).isEqualTo("changed \"a\" (private/a) unix: wakeup_time, min_idle, throttle_time (no restart)\n");
    }

    @Test
    void changedListenAddressesAreRemovePlusAdd() throws Exception {
        ServiceTable old = parse("smtp inet n - n - - smtpd\n");
        ServiceTable neu = new MasterCfParser(config(Map.of(MasterConfig.INET_INTERFACES, "127.0.0.1",
                MasterConfig.SERVICES_FILE, ""))).parse("master.cf", "smtp inet n - n - - smtpd\n");
        ServiceDiff d = ServiceTable.diff(old, neu);
        assertThat(d.removed()).containsExactlyElementsOf(old.services());
        assertThat(d.added()).containsExactlyElementsOf(neu.services());
        assertThat(d.changed()).isEmpty();
    }

    @Test
    void emptyTableDiffAddsEverything() throws Exception {
        assertThat(ServiceTable.diff(ServiceTable.empty(), parse(FILE)).added()).hasSize(4);
    }
}
