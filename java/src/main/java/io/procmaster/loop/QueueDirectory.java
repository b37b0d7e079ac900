package io.procmaster.loop;

import static io.procmaster.os.FileNodes.S_IFDIR;
import static io.procmaster.os.FileNodes.S_IFIFO;
import static io.procmaster.os.FileNodes.S_IFLNK;
import static io.procmaster.os.FileNodes.S_IFREG;
import static io.procmaster.os.FileNodes.S_IFSOCK;

import io.procmaster.os.FileNodes;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.Optional;

/**
 * Trust and layout of {@code queue_directory}, checked before the master takes its lock or binds
 * anything there: whoever may write in the queue directory or in {@code public/} or
 * {@code private/} could swap the master's sockets for their own, so, as Postfix expects of its
 * queue, none of them may be writable by group or others (a sticky, world-writable directory such
 * as /tmp is refused too; group-readable, as Postfix's {@code public/} at 0710 group postdrop, is
 * fine).
 *
 * <p>Owners: the queue directory and {@code pid/} must belong to root or to the master's own
 * user; {@code public/} and {@code private/} may also belong to {@code mail_owner}, as in Postfix's
 * layout, where they belong to postfix. {@code pid/} never may (Postfix's is root's, 0755): it
 * holds {@code master.lock}, and whoever owns it could unlink the lock under a running master or
 * write a flow line there that a master restarted as root would act on when it ends a previous
 * instance's children. Every check reads the entry itself (lstat): a
 * symbolic link at {@code public/}, {@code private/} or {@code pid/} is refused, never followed.
 * The queue directory itself may be a symbolic link (for example to another disk) only when the
 * link belongs to root or the master's user; its target is then checked like the directory.
 *
 * <p>A missing directory is created, never through a link (mkdir of the last component fails if
 * anything appeared there meanwhile, and the result is checked again): the queue directory and
 * {@code pid/} with mode 0755, owned by the master's user; {@code public/} 0755 and
 * {@code private/} 0700, given to {@code mail_owner} when that is set (its daemons must reach the
 * sockets there), else the master's user's.
 *
 * <p>Interface: {@link #prepare} (at start), {@link #checkServicePath} (before each bind).
 * Failure modes: an {@link IOException} of the form
 * {@code queue_directory /q: public/: writable by group or others (mode 1777): refusing to use it}.
 */
final class QueueDirectory {
    /** Subdirectories of the queue directory: sockets of public services, private ones, lock files. */
    static final String PUBLIC = "public";
    static final String PRIVATE = "private";
    static final String PID = "pid";

    private final Path root;
    private final int masterUid;
    private final UserPrincipal mailOwner;

    private QueueDirectory(Path root, int masterUid, UserPrincipal mailOwner) {
        this.root = root;
        this.masterUid = masterUid;
        this.mailOwner = mailOwner;
    }

    /** Checks (creating what is missing) the queue directory, pid/, public/ and private/. */
    static void prepare(Path root, Optional<UserPrincipal> mailOwner) throws IOException {
        QueueDirectory q = new QueueDirectory(root, masterUid(), mailOwner.orElse(null));
        q.prepareRoot();
        q.prepareSub(PID, "rwxr-xr-x", null, false);
        q.prepareSub(PUBLIC, "rwxr-xr-x", q.mailOwner, true);
        q.prepareSub(PRIVATE, "rwx------", q.mailOwner, true);
    }

    /** The uid the master runs as (getuid; no /proc needed). */
    static int masterUid() {
        return FileNodes.ownUid();
    }

    private void prepareRoot() throws IOException {
        Map<String, Object> a = lstat(root);
        if (a == null) {
            Path parent = root.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            a = create(root, "rwxr-xr-x", null, null);
        }
        if (type(a) == S_IFLNK) {
            checkOwner(root, null, a, false);
            try {
                a = Files.readAttributes(root, "unix:mode,uid");
            } catch (IOException e) {
                throw refused(null, "is a symbolic link to nothing usable: " + e);
            }
        }
        if (type(a) != S_IFDIR) {
            throw refused(null, "is not a directory");
        }
        checkOwner(root, null, a, false);
        checkMode(null, a);
    }

    private void prepareSub(String name, String mode, UserPrincipal owner, boolean mailOwnerMayOwn)
            throws IOException {
        Path dir = root.resolve(name);
        Map<String, Object> a = lstat(dir);
        if (a == null) {
            a = create(dir, mode, owner, name);
        }
        if (type(a) == S_IFLNK) {
            throw refused(name, "is a symbolic link: refusing to follow it");
        }
        if (type(a) != S_IFDIR) {
            throw refused(name, "is not a directory");
        }
        checkOwner(dir, name, a, mailOwnerMayOwn);
        checkMode(name, a);
    }

    /** mkdir (never through a link), the exact mode, the owner; then what is there, read again. */
    private Map<String, Object> create(Path dir, String mode, UserPrincipal owner, String sub) throws IOException {
        try {
            var perms = PosixFilePermissions.fromString(mode);
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(perms)); // never more than mode
            Files.setPosixFilePermissions(dir, perms); // and exactly mode, whatever the umask
            if (owner != null) {
                Files.getFileAttributeView(dir, FileOwnerAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setOwner(owner);
            }
        } catch (FileAlreadyExistsException raced) {
            // Something appeared meanwhile: it is checked like anything found there.
        } catch (IOException e) {
            throw new IOException(prefix(sub) + "cannot create it: " + e, e);
        }
        Map<String, Object> a = lstat(dir);
        if (a == null) {
            throw new IOException(prefix(sub) + "vanished while it was created");
        }
        return a;
    }

    private void checkOwner(Path path, String sub, Map<String, Object> a, boolean mailOwnerToo)
            throws IOException {
        int uid = (Integer) a.get("uid");
        if (uid == 0 || uid == masterUid) {
            return;
        }
        // UserPrincipal has no public uid, but two principals are equal when their uids are.
        if (mailOwnerToo && mailOwner != null
                && mailOwner.equals(Files.getOwner(path, LinkOption.NOFOLLOW_LINKS))) {
            return;
        }
        throw refused(sub, "owned by uid " + uid + ", not by root or the master's user (uid " + masterUid + ")"
                + (mailOwnerToo && mailOwner != null ? " or mail_owner " + mailOwner.getName() : "")
                + ": refusing to use it");
    }

    private void checkMode(String sub, Map<String, Object> a) throws IOException {
        int mode = (Integer) a.get("mode");
        if ((mode & 0022) != 0) {
            throw refused(sub, String.format("writable by group or others (mode %04o): refusing to use it",
                    mode & 07777));
        }
    }

    private IOException refused(String sub, String why) {
        return new IOException(prefix(sub) + why);
    }

    private String prefix(String sub) {
        return "queue_directory " + root + ": " + (sub == null ? "" : sub + "/: ");
    }

    /**
     * Before a bind at {@code file}: what is there may only be a socket or FIFO (the master's own,
     * left behind, replaced once the lock is held); a link, a regular file or a directory is
     * refused. The directory it is in must still be a directory, not a link put in its place.
     */
    static void checkServicePath(String service, Path file) throws IOException {
        Map<String, Object> parent = lstat(file.getParent());
        if (parent != null && type(parent) != S_IFDIR) {
            throw new IOException("service " + service + ": " + file.getParent()
                    + (type(parent) == S_IFLNK ? " is a symbolic link: refusing to follow it" : " is not a directory"));
        }
        Map<String, Object> a = lstat(file);
        if (a == null || type(a) == S_IFSOCK || type(a) == S_IFIFO) {
            return;
        }
        String what = switch (type(a)) {
            case S_IFLNK -> "a symbolic link";
            case S_IFREG -> "a regular file";
            case S_IFDIR -> "a directory";
            default -> "not a socket";
        };
        throw new IOException("service " + service + ": " + file + " is " + what
                + ", not a socket or FIFO: refusing to replace it");
    }

    private static Map<String, Object> lstat(Path p) throws IOException {
        return FileNodes.lstat(p);
    }

    private static int type(Map<String, Object> a) {
        return FileNodes.type(a);
    }
}
