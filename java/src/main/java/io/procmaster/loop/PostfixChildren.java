package io.procmaster.loop;

import io.procmaster.config.MasterConfig;
import io.procmaster.os.Channels;
import io.procmaster.os.Fd;
import io.procmaster.os.SpawnSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the children of a Postfix instance (main.cf sets {@code data_directory}, see
 * {@link PostfixLockFiles}) get from Postfix's master besides the descriptors of
 * docs/postfix-master.md §3.1 (§3.1.1 there): the environment and fds 0, 1 and 2.
 *
 * <ul>
 *   <li>{@code MAIL_LOGTAG}: Postfix's master sets it to {@code syslog_name} when it reads main.cf,
 *       then filters its environment with {@code import_environment}; so a child has it exactly when
 *       import_environment names it (Postfix's default does).
 *   <li>{@code POSTLOG_SERVICE} ({@code queue_directory/public/}{@code postlog_service_name}) and
 *       {@code POSTLOG_HOSTNAME} ({@code myhostname}): set after that filter when {@code maillog_file}
 *       is not empty, so a daemon logs to postlogd from its first line, before it has read main.cf.
 *   <li>fds 0, 1 and 2: {@code /dev/null}, as the detached master has them; fd 1 stays the master's
 *       when {@code maillog_file} is {@code /dev/stdout} (postlogd writes there: what
 *       {@code postfix start-fg} keeps stdout for).
 * </ul>
 * Read once, at start, like the rest of the children's environment (Postfix re-exports
 * MAIL_LOGTAG at every reload, past the filter; procmaster does not, docs/postfix-master.md §3.1.1).
 *
 * <p>Simplifications: a {@code syslog_name} or {@code myhostname} holding {@code $} expansions is not
 * expanded: the tag is then {@code multi_instance_name} or {@code postfix} (Postfix's default), the
 * host name the kernel's ({@code /proc/sys/kernel/hostname}).
 *
 * <p>Interface: {@link #applies}, {@link #environment}, {@link #keepsStdout}; an instance ({@link #open},
 * one per master) holds the {@code /dev/null} descriptor, puts it in each child's fd plan
 * ({@link #addStdio}) and closes it ({@link #close}); outside a Postfix instance it holds nothing and
 * the children inherit the master's fds 0-2. Failure modes: {@link #open} throws when /dev/null cannot
 * be opened; an unreadable host name is {@code localhost}.
 */
final class PostfixChildren implements AutoCloseable {
    static final String MAIL_LOGTAG = "MAIL_LOGTAG";
    static final String POSTLOG_SERVICE = "POSTLOG_SERVICE";
    static final String POSTLOG_HOSTNAME = "POSTLOG_HOSTNAME";

    private final Fd devNull; // null: the children inherit the master's fds 0-2
    private final boolean keepStdout;

    private PostfixChildren(Fd devNull, boolean keepStdout) {
        this.devNull = devNull;
        this.keepStdout = keepStdout;
    }

    /** The children's fds 0-2 of {@code config}'s master. */
    static PostfixChildren open(MasterConfig config) throws IOException {
        return new PostfixChildren(applies(config) ? Channels.devNull() : null, keepsStdout(config));
    }

    /** Adds fds 0, 1 and 2 to a child's fd plan (nothing outside a Postfix instance). */
    SpawnSpec.Builder addStdio(SpawnSpec.Builder b) {
        if (devNull != null) {
            b.fd(0, devNull.intValue()).fd(2, devNull.intValue());
            if (!keepStdout) {
                b.fd(1, devNull.intValue());
            }
        }
        return b;
    }

    @Override
    public void close() {
        if (devNull != null) {
            devNull.close();
        }
    }

    /** True in a Postfix instance. */
    static boolean applies(MasterConfig config) {
        return PostfixLockFiles.dataDirectory(config).isPresent();
    }

    /** The children's environment (without GENERATION) from the master's own {@code parent}. */
    static Map<String, String> environment(MasterConfig config, Map<String, String> parent) {
        if (!applies(config)) {
            return config.importEnvironment().resolve(parent);
        }
        Map<String, String> master = new LinkedHashMap<>(parent);
        master.put(MAIL_LOGTAG, syslogName(config));
        Map<String, String> env = new LinkedHashMap<>(config.importEnvironment().resolve(master));
        if (!config.get("maillog_file").map(String::strip).orElse("").isEmpty()) {
            env.put(POSTLOG_SERVICE, config.queueDirectory().resolve("public")
                    .resolve(value(config, "postlog_service_name").orElse("postlog")).toString());
            env.put(POSTLOG_HOSTNAME, value(config, "myhostname").orElse(kernelHostname()));
        } else {
            env.remove(POSTLOG_SERVICE);
            env.remove(POSTLOG_HOSTNAME);
        }
        return env;
    }

    /** True when the children's fd 1 stays the master's own stdout rather than /dev/null. */
    static boolean keepsStdout(MasterConfig config) {
        return value(config, "maillog_file").filter("/dev/stdout"::equals).isPresent();
    }

    private static String syslogName(MasterConfig config) {
        return value(config, "syslog_name").orElse(value(config, "multi_instance_name").orElse("postfix"));
    }

    /** A parameter's value when set, not empty and free of $ expansions. */
    private static Optional<String> value(MasterConfig config, String name) {
        return config.get(name).map(String::strip).filter(v -> !v.isEmpty() && !v.contains("$"));
    }

    private static String kernelHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
