package io.procmaster.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.config.MasterConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The environment and stdio decisions for the children of a Postfix instance, without processes
 * (docs/postfix-master.md §3.1.1); PostfixDaemonsTest sees them in the real daemons.
 */
class PostfixChildrenTest {
    private static final Map<String, String> MASTER_ENV = Map.of("MAIL_CONFIG", "/etc/pf", "HOME", "/root",
            "POSTLOG_SERVICE", "/elsewhere/public/postlog");

    private static MasterConfig config(String... nameValues) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("queue_directory", "/q");
        for (int i = 0; i < nameValues.length; i += 2) {
            m.put(nameValues[i], nameValues[i + 1]);
        }
        return MasterConfig.of(m);
    }

    @Test
    void withoutDataDirectoryOnlyImportEnvironmentCounts() throws Exception {
        MasterConfig c = config("import_environment", "MAIL_CONFIG MAIL_LOGTAG POSTLOG_SERVICE",
                "maillog_file", "/var/log/maillog");
        assertThat(PostfixChildren.applies(c)).isFalse();
        assertThat(PostfixChildren.environment(c, MASTER_ENV)).containsOnly(Map.entry("MAIL_CONFIG", "/etc/pf"),
                Map.entry("POSTLOG_SERVICE", "/elsewhere/public/postlog"));
    }

    @Test
    void mailLogtagIsSyslogNameWhenImportEnvironmentNamesIt() throws Exception {
        MasterConfig named = config("data_directory", "/d", "import_environment", "MAIL_CONFIG MAIL_LOGTAG",
                "syslog_name", "postfix-out");
        assertThat(PostfixChildren.environment(named, MASTER_ENV)).containsOnly(Map.entry("MAIL_CONFIG", "/etc/pf"),
                Map.entry("MAIL_LOGTAG", "postfix-out"));
        MasterConfig byDefault = config("data_directory", "/d", "import_environment", "MAIL_LOGTAG",
                "syslog_name", "${multi_instance_name?{$multi_instance_name}:{postfix}}");
        assertThat(PostfixChildren.environment(byDefault, MASTER_ENV)).containsOnly(Map.entry("MAIL_LOGTAG", "postfix"));
        MasterConfig notNamed = config("data_directory", "/d", "import_environment", "MAIL_CONFIG");
        assertThat(PostfixChildren.environment(notNamed, MASTER_ENV)).containsOnly(Map.entry("MAIL_CONFIG", "/etc/pf"));
    }

    @Test
    void postlogVariablesComeWithMaillogFileWhateverImportEnvironmentSays() throws Exception {
        MasterConfig on = config("data_directory", "/d", "import_environment", "MAIL_CONFIG",
                "maillog_file", "/var/log/postfix.log", "myhostname", "mx.example.org");
        assertThat(PostfixChildren.environment(on, MASTER_ENV)).containsOnly(Map.entry("MAIL_CONFIG", "/etc/pf"),
                Map.entry("POSTLOG_SERVICE", "/q/public/postlog"), Map.entry("POSTLOG_HOSTNAME", "mx.example.org"));
        MasterConfig named = config("data_directory", "/d", "import_environment", "MAIL_CONFIG",
                "maillog_file", "/var/log/postfix.log", "postlog_service_name", "log2", "myhostname", "mx");
        assertThat(PostfixChildren.environment(named, MASTER_ENV)).containsEntry("POSTLOG_SERVICE", "/q/public/log2");
        // Off: removed even when imported, as Postfix's maillog_client unsets them.
        MasterConfig off = config("data_directory", "/d", "import_environment", "MAIL_CONFIG POSTLOG_SERVICE");
        assertThat(PostfixChildren.environment(off, MASTER_ENV)).containsOnly(Map.entry("MAIL_CONFIG", "/etc/pf"));
    }

    @Test
    void stdoutIsKeptOnlyForMaillogFileDevStdout() throws Exception {
        assertThat(PostfixChildren.keepsStdout(config("data_directory", "/d", "maillog_file", "/dev/stdout"))).isTrue();
        assertThat(PostfixChildren.keepsStdout(config("data_directory", "/d", "maillog_file", "/var/log/m"))).isFalse();
        assertThat(PostfixChildren.keepsStdout(config("data_directory", "/d"))).isFalse();
    }
}
