package io.procmaster.config;

import static io.procmaster.config.MasterCfParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The service table: format() for "procmaster check" and of() resolving duplicates. */
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
}
