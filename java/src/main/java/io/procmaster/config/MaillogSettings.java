package io.procmaster.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MaillogSettings - whether and where the master's own lines go to the mail log, read from the
 * main.cf parameters Postfix's master reads for it (docs/postfix-master.md §11.1).
 *
 * <p>Rule, as Postfix's maillog_client chooses: with {@code maillog_file} set, the lines go as
 * datagrams to postlogd's socket {@code $queue_directory/public/$postlog_service_name}; otherwise
 * to syslog's {@code /dev/log}, with facility {@code syslog_facility} (default {@code mail}). The
 * tag is {@code $syslog_name/master}. On or off: {@value #SWITCH} {@code = yes|no}; when it is not
 * set, on exactly when main.cf is a Postfix one, i.e. sets one of {@link #POSTFIX_MARKERS}
 * (every Postfix 3 main.cf has {@code compatibility_level}; procmaster's own configurations set none).
 *
 * <p>Values with {@code $} expansions (procmaster does not expand them) fall back: {@code syslog_name}
 * to {@code $multi_instance_name} when that is a plain value, else {@code postfix} (Postfix's
 * default); {@code myhostname} to the kernel's host name. The version in "daemon started -- version
 * X" is {@code mail_version} when main.cf sets it, else {@code procmaster} (Postfix's is compiled
 * into its master, which procmaster replaces); the configuration directory is {@code config_directory},
 * else the {@code MAIL_CONFIG} the daemons are given, else {@code /etc/postfix}.
 *
 * <p>Interface: {@link #of(MasterConfig, Map)}; accessors. Immutable.
 *
 * <p>Failure modes: none thrown; a bad {@value #SWITCH} or {@code syslog_facility} value is kept
 * out (off, resp. {@code mail}) and named in {@link #warnings()}, which the loop logs at start.
 */
public record MaillogSettings(boolean enabled, Optional<Path> postlogSocket, int facility, String tag,
                              String hostname, String version, String configDirectory, List<String> warnings) {

    /** procmaster's own switch: {@code yes} or {@code no}; unset means "when main.cf is Postfix's". */
    public static final String SWITCH = "procmaster_maillog";
    /** Parameters whose presence in main.cf marks a Postfix instance. */
    public static final List<String> POSTFIX_MARKERS = List.of("compatibility_level", "syslog_name", "maillog_file");
    /** syslog's socket, where glibc's syslog(3) sends. */
    public static final Path DEV_LOG = Path.of("/dev/log");
    /** LOG_MAIL. */
    public static final int MAIL_FACILITY = 2;

    private static final List<String> FACILITIES = List.of("kern", "user", "mail", "daemon", "auth", "syslog",
            "lpr", "news", "uucp", "cron", "authpriv", "ftp");

    public MaillogSettings {
        warnings = List.copyOf(warnings);
    }

    /** Where the lines go: postlogd's socket, or {@link #DEV_LOG}. */
    public Path destination() {
        return postlogSocket.orElse(DEV_LOG);
    }

    /**
     * The settings of {@code config}.
     *
     * @param environment the master's environment, for {@code MAIL_CONFIG} (import_environment resolves against it)
     */
    public static MaillogSettings of(MasterConfig config, Map<String, String> environment) {
        List<String> warnings = new ArrayList<>();
        Map<String, String> explicit = config.explicitParameters();
        boolean enabled;
        String sw = explicit.get(SWITCH);
        if (sw == null) {
            enabled = POSTFIX_MARKERS.stream().anyMatch(explicit::containsKey);
        } else {
            enabled = "yes".equals(sw.strip());
            if (!enabled && !"no".equals(sw.strip())) {
                warnings.add(SWITCH + " = " + sw + ": expected yes or no; the master's lines stay out of the maillog");
            }
        }
        String file = plain(explicit.get("maillog_file")).orElse("");
        String service = plain(explicit.get("postlog_service_name")).orElse("postlog");
        Optional<Path> postlog = file.isEmpty() || config.queueDirectory() == null ? Optional.empty()
                : Optional.of(config.queueDirectory().resolve("public").resolve(service));
        String name = plain(explicit.get("syslog_name"))
                .or(() -> plain(explicit.get("multi_instance_name")))
                .orElse("postfix");
        int facility = MAIL_FACILITY;
        String fac = explicit.get("syslog_facility");
        if (fac != null && !fac.isBlank()) {
            facility = facility(fac.strip());
            if (facility < 0) {
                warnings.add("syslog_facility = " + fac + ": unknown facility; using mail");
                facility = MAIL_FACILITY;
            }
        }
        String host = plain(explicit.get("myhostname")).orElseGet(MaillogSettings::kernelHostname);
        String version = plain(explicit.get("mail_version")).orElse("procmaster");
        String configDir = plain(explicit.get("config_directory"))
                .or(() -> Optional.ofNullable(config.importEnvironment().resolve(environment).get("MAIL_CONFIG")))
                .orElse("/etc/postfix");
        return new MaillogSettings(enabled, postlog, facility, name + "/master", host, version, configDir, warnings);
    }

    /** The facility's number (syslog.h), or -1 when the name is unknown. */
    static int facility(String name) {
        int i = FACILITIES.indexOf(name);
        if (i >= 0) {
            return i;
        }
        if (name.length() == 6 && name.startsWith("local") && name.charAt(5) >= '0' && name.charAt(5) <= '7') {
            return 16 + name.charAt(5) - '0';
        }
        return -1;
    }

    private static Optional<String> plain(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.strip();
        return v.isEmpty() || v.contains("$") ? Optional.empty() : Optional.of(v);
    }

    private static String kernelHostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            return h.isEmpty() ? "amnesiac" : h;
        } catch (IOException | RuntimeException e) {
            return "amnesiac"; // Postfix's word for a host without a name
        }
    }
}
