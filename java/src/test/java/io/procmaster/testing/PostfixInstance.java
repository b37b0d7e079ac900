package io.procmaster.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.procmaster.config.MainCfParser;
import io.procmaster.config.MasterConfig;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A private instance of the stock Postfix daemons (Debian's postfix package) for running them
 * under procmaster: one main.cf that both read, the queue directory laid out as Postfix's own
 * installation does it, and the daemons' log written by postlogd to a file of its own.
 *
 * <p>Nothing outside the given directory is touched: the daemons find the configuration through
 * {@code MAIL_CONFIG}, which procmaster passes with {@code import_environment}; no system
 * configuration is read, no network is used (loopback, no name lookups). The main.cf is a plain
 * Postfix one: procmaster reads the parameters it shares with Postfix (queue_directory,
 * daemon_directory, mail_owner, import_environment, inet_interfaces) and keeps the others.
 */
public final class PostfixInstance {
    /** Where Debian's postfix package puts the daemons. */
    public static final Path DAEMONS = Path.of("/usr/lib/postfix/sbin");
    /** Postfix's sendmail(1), which hands a message to postdrop (maildrop plus a pickup trigger). */
    public static final Path SENDMAIL = Path.of("/usr/sbin/sendmail");
    public static final String MAIL_OWNER = "postfix";
    public static final String SETGID_GROUP = "postdrop";
    /** myhostname: the banner and the log lines carry it. */
    public static final String HOSTNAME = "pm-test.localdomain";

    public final Path conf;
    public final Path queue;
    public final Path data;
    public final Path maillog;

    private PostfixInstance(Path dir) {
        this.conf = dir.resolve("conf");
        this.queue = dir.resolve("queue");
        this.data = dir.resolve("data");
        this.maillog = dir.resolve("log").resolve("maillog");
    }

    /**
     * Skips the calling test (JUnit assumption) unless it runs as root with Debian's postfix
     * installed: the daemons start as root and drop to mail_owner, and the queue layout needs
     * files owned by postfix and postdrop.
     */
    public static void assumeAvailable(String... daemons) {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "the Postfix daemons start as root and drop to mail_owner: run the tests as root");
        assumeTrue(Files.isDirectory(DAEMONS), DAEMONS + " is missing: install Debian's postfix package");
        for (String d : daemons) {
            assumeTrue(Files.isExecutable(DAEMONS.resolve(d)), DAEMONS.resolve(d) + " is missing");
        }
        assumeTrue(Files.isExecutable(SENDMAIL), SENDMAIL + " is missing");
        assumeTrue(user(MAIL_OWNER) != null && group(SETGID_GROUP) != null,
                "user " + MAIL_OWNER + " or group " + SETGID_GROUP + " is missing (the postfix package creates them)");
    }

    /** Lays out {@code dir} (which must exist) and writes main.cf. */
    public static PostfixInstance create(Path dir) throws IOException {
        PostfixInstance p = new PostfixInstance(dir);
        // The daemons run as postfix part of the time: the tree must be searchable.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(p.conf);
        Files.createDirectories(p.maillog.getParent());
        Files.createDirectories(p.queue);
        // The layout Postfix's installation makes (postfix-files): lock files, sockets, queues.
        p.dir("pid", "root", null, "rwxr-xr-x");
        p.dir("private", MAIL_OWNER, null, "rwx------");
        p.dir("public", MAIL_OWNER, SETGID_GROUP, "rwx--x---");
        p.dir("maildrop", MAIL_OWNER, SETGID_GROUP, "rwx-wx---"); // 1730 there; Java cannot set the sticky bit
        p.dir("incoming", MAIL_OWNER, null, "rwx------");
        // The queues a message moves through once qmgr runs (mail_owner cannot create them in the
        // root-owned queue directory), and flush's per-site logs; postfix(1)'s reload runs "postsuper
        // active", which scans them.
        for (String queueName : new String[] {"active", "deferred", "defer", "bounce", "trace", "hold", "corrupt",
                "saved", "flush"}) {
            p.dir(queueName, MAIL_OWNER, null, "rwx------");
        }
        Files.createDirectories(p.data);
        Files.setOwner(p.data, user(MAIL_OWNER));
        String main = """
                compatibility_level = 3.6
                queue_directory = %s
                data_directory = %s
                daemon_directory = %s
                mail_owner = %s
                setgid_group = %s
                # How the daemons (and postdrop) find this file: the master passes it on.
                import_environment = MAIL_CONFIG=%s
                inet_interfaces = loopback-only
                inet_protocols = ipv4
                myhostname = %s
                mydomain = localdomain
                mydestination =
                alias_maps =
                alias_database =
                # Every daemon logs to public/postlog; postlogd writes the lines here.
                maillog_file = %s
                maillog_file_prefixes = %s
                # No name service: the client is logged as unknown[127.0.0.1].
                smtpd_peername_lookup = no
                # Loopback clients are exempt by default, and smtpd would never ask anvil.
                smtpd_client_event_limit_exceptions =
                postscreen_cache_map = btree:%s
                """.formatted(p.queue, p.data, DAEMONS, MAIL_OWNER, SETGID_GROUP, p.conf, HOSTNAME, p.maillog,
                p.maillog.getParent(), p.data.resolve("postscreen_cache"));
        Files.writeString(p.conf.resolve("main.cf"), main);
        return p;
    }

    private void dir(String name, String owner, String group, String mode) throws IOException {
        Path d = Files.createDirectories(queue.resolve(name));
        PosixFileAttributeView v = Files.getFileAttributeView(d, PosixFileAttributeView.class);
        v.setOwner(user(owner));
        if (group != null) {
            v.setGroup(group(group));
        }
        v.setPermissions(PosixFilePermissions.fromString(mode));
    }

    /**
     * Sets main.cf parameters ({@code name = value} each): a parameter already there is replaced
     * in place, a new one is appended. Call before the master starts (the daemons and procmaster
     * read main.cf when they start).
     */
    public void configure(String... settings) throws IOException {
        Path file = conf.resolve("main.cf");
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(file));
        for (String setting : settings) {
            String name = setting.substring(0, setting.indexOf('=')).trim();
            java.util.regex.Pattern same = java.util.regex.Pattern.compile("^" + java.util.regex.Pattern.quote(name)
                    + "\\s*=.*");
            int at = -1;
            for (int i = 0; i < lines.size() && at < 0; i++) {
                at = same.matcher(lines.get(i)).matches() ? i : -1;
            }
            if (at >= 0) {
                lines.set(at, setting);
            } else {
                lines.add(setting);
            }
        }
        Files.write(file, lines);
    }

    /** procmaster's configuration: this instance's main.cf, with {@code overrides} over it. */
    public MasterConfig masterConfig(String... overrides) throws Exception {
        MasterConfig c = MainCfParser.parse(conf.resolve("main.cf")).config();
        for (String o : overrides) {
            c = c.withOverride(o);
        }
        return c;
    }

    /** mail_owner's uid (data_directory belongs to mail_owner). */
    public int mailOwnerUid() throws IOException {
        return (Integer) Files.getAttribute(data, "unix:uid");
    }

    /** Postfix's postfix(1), which runs postfix-script for status, start, stop, reload. */
    public static final Path POSTFIX = Path.of("/usr/sbin/postfix");

    /** The log postlogd wrote, or empty. */
    public String log() throws IOException {
        return Files.exists(maillog) ? Files.readString(maillog) : "";
    }

    /** The log once {@code done} holds for it, or as it is after 30 s. */
    public String awaitLog(Predicate<String> done) throws Exception {
        String log = log();
        for (int i = 0; i < 300 && !done.test(log); i++) {
            TimeUnit.MILLISECONDS.sleep(100);
            log = log();
        }
        return log;
    }

    private static UserPrincipal user(String name) {
        try {
            return lookup().lookupPrincipalByName(name);
        } catch (UserPrincipalNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GroupPrincipal group(String name) {
        try {
            return lookup().lookupPrincipalByGroupName(name);
        } catch (UserPrincipalNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static UserPrincipalLookupService lookup() {
        return FileSystems.getDefault().getUserPrincipalLookupService();
    }
}
