package io.procmaster.policy;

import static io.procmaster.policy.PolicyHarness.svc;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which child exits are warnings, on the slf4j log and in the mail log (docs/postfix-master.md
 * §11.2): none for a child the master signalled itself (at stop, at a service's removal), whatever
 * way it ends (cleanup catches SIGTERM and exits 15); the same warning as Postfix's master for any
 * other abnormal end, a SIGKILL from outside included. The mail-log copy follows the policy's rate
 * limit. Before the change, the first and the removal case warned "exit status 15".
 */
class MasterSignalledExitsTest {

    private final LogFloodTest.CapturedLog log = new LogFloodTest.CapturedLog();
    private final PolicyHarness h = new PolicyHarness(PolicySettings.postfixCompatible()
            .withDrainTime(Duration.ofSeconds(5)), log);

    private List<String> warnings() {
        return log.lines.stream().filter(l -> l.startsWith("WARN")).toList();
    }

    @Test
    void atStopAChildThatExitsWithItsOwnStatusAfterTheMastersSigtermIsNotAWarning() {
        h.start(svc("cleanup").maxProc(5).build());
        h.connect("cleanup");
        h.taken("cleanup", h.pid(0));
        h.connect("cleanup");
        h.policy.shutdown();
        h.exit(h.pid(0), ChildExit.exited(15)); // cleanup_sig: exit(sig)
        h.exit(h.pid(1), ChildExit.killed(15));
        assertThat(warnings()).isEmpty();
        assertThat(h.actions.maillog).isEmpty();
        assertThat(h.status("cleanup").counts().abnormalExits()).isEqualTo(2); // still counted
    }

    @Test
    void aServiceRemovedAtReloadEndsWithoutWarnings() {
        h.start(svc("cleanup").build(), svc("smtpd").build());
        h.connect("cleanup");
        h.policy.reload(List.of(svc("smtpd").build()));
        h.exit(h.pid(0), ChildExit.exited(15));
        assertThat(warnings()).isEmpty();
        assertThat(h.actions.maillog).isEmpty();
    }

    @Test
    void theDrainsSigkillIsNotAWarningEither() {
        h.start(svc("foo").build());
        h.connect("foo");
        h.policy.shutdown();
        h.advanceSeconds(5); // SIGKILL after the drain time; the policy's own line says so
        int before = warnings().size();
        h.exit(h.pid(0), ChildExit.killed(9));
        assertThat(warnings()).hasSize(before);
        assertThat(h.actions.maillog).isEmpty();
    }

    @Test
    void aSigkillFromOutsideIsWarnedInPostfixsWords() {
        h.start(svc("smtpd").command("/usr/lib/postfix/sbin/smtpd").build());
        h.connect("smtpd");
        h.taken("smtpd", h.pid(0));
        h.avail("smtpd", h.pid(0)); // it served: no bad startup
        h.exit(h.pid(0), ChildExit.killed(9));
        String line = "process /usr/lib/postfix/sbin/smtpd pid " + h.pid(0) + " killed by signal 9";
        assertThat(warnings()).containsExactly("WARN " + line);
        assertThat(h.actions.maillog).containsExactly("WARNING " + line);
    }

    @Test
    void aSigkillFromOutsideDuringTheStopIsStillAWarning() {
        h.start(svc("smtpd").build());
        h.connect("smtpd");
        h.policy.shutdown(); // the master sent SIGTERM; someone else SIGKILLs the child
        h.exit(h.pid(0), ChildExit.killed(9));
        assertThat(h.actions.maillog).containsExactly(
                "WARNING process /usr/libexec/procmaster/smtpd pid " + h.pid(0) + " killed by signal 9");
    }

    @Test
    void aBadStartupGivesPostfixsTwoLines() {
        h.start(svc("anvil").command("/usr/lib/postfix/sbin/anvil").build());
        h.connect("anvil");
        h.exit(h.pid(0), ChildExit.exited(1));
        assertThat(h.actions.maillog).containsExactly(
                "WARNING process /usr/lib/postfix/sbin/anvil pid " + h.pid(0) + " exit status 1",
                "WARNING /usr/lib/postfix/sbin/anvil: bad command startup -- throttling");
        assertThat(h.status("anvil").throttled()).isTrue();
    }

    @Test
    void theMaillogCopyIsRateLimitedWithTheSlf4jLine() {
        h.start(svc("smtpd").maxProc(100).build());
        for (int i = 0; i < 30; i++) {
            h.connect("smtpd");
            h.taken("smtpd", h.pid(i));
        }
        for (int i = 0; i < 30; i++) {
            h.exit(h.pid(i), ChildExit.killed(11));
        }
        assertThat(h.actions.maillog.stream().filter(l -> l.contains("killed by signal 11")))
                .hasSize(LogLimiter.BURST);
        assertThat(log.count("killed by signal 11")).isEqualTo(LogLimiter.BURST);
    }
}
