package io.procmaster.cli;

import io.procmaster.os.FileNodes;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;

/**
 * Who is at the other end of a control-socket connection, by numeric uid (SO_PEERCRED).
 *
 * <p>The server admits a peer whose uid is the master's own (the owner of the socket file it just
 * bound) or 0. The client believes a server only when the server's uid is 0 or the client's own,
 * and the socket's directory belongs to 0 or to the client's own uid and is not writable by group
 * or others: root's CLI believes only a master that runs as root, a user's CLI only root's master
 * or that user's own. Nothing else is evidence of who the master is: anyone can create a
 * directory the configuration names (such as the example's under /tmp) before the master does,
 * and serve in it; the owner of such a directory proves nothing, and {@code mail_owner} is not
 * the master's user.
 *
 * <p>Why principals compare numerically: the JDK's SO_PEERCRED gives a {@link UserPrincipal} made
 * from the peer's uid ({@code UnixUserPrincipals.fromUid}); its name comes from getpwuid, and
 * when that lookup fails (EMFILE, a broken NSS) the name is the decimal uid. Its
 * {@code equals} compares the numeric uid and ignores the name (JDK 17 source,
 * {@code sun.nio.fs.UnixUserPrincipals.User}). So the principals this class compares against are
 * obtained once, at startup, from the kernel's numbers: the owner of a file (stat's st_uid) for
 * the master's own uid and for uid 0 (see {@link #root}); a comparison at accept time never
 * depends on a name lookup succeeding. Names appear only in messages. (The JDK still asks NSS
 * for the peer's name when it builds the principal; a failure there just gives the number.)
 *
 * <p>Failure modes: {@link IOException} when the credentials or the directory cannot be read;
 * {@link UntrustedServerException} when the client must not believe the server.
 */
final class PeerCredentials {
    private final UserPrincipal master;
    private final UserPrincipal root;

    private PeerCredentials(UserPrincipal master, UserPrincipal root) {
        this.master = master;
        this.root = root;
    }

    /** The server's view: the master is whoever owns {@code boundSocket} (the file bind created). */
    static PeerCredentials ofSocketOwner(Path boundSocket) throws IOException {
        return new PeerCredentials(Files.getOwner(boundSocket, LinkOption.NOFOLLOW_LINKS), root());
    }

    /**
     * uid 0, by number: the owner of {@code /} when its st_uid is 0 (the usual case; its name
     * lookup is a plain hit), else the lookup of the name {@code "0"}, which finds no account and
     * falls back to the number.
     */
    static UserPrincipal root() throws IOException {
        Path top = Path.of("/");
        if (((Integer) Files.getAttribute(top, "unix:uid")) == 0) {
            return Files.getOwner(top);
        }
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("0");
    }

    /** True for the master's own uid and for uid 0. */
    boolean admits(UserPrincipal peer) {
        return peer.equals(master) || peer.equals(root);
    }

    /** The peer's user (SO_PEERCRED); its numeric uid decides {@code equals}. */
    static UserPrincipal peer(SocketChannel c) throws IOException {
        return c.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
    }

    /** For messages: {@code user NAME}, or {@code uid N} when the name could not be looked up. */
    static String describe(UserPrincipal p) {
        String name = p.getName();
        return name.chars().allMatch(Character::isDigit) ? "uid " + name : "user " + name;
    }

    /**
     * The client's check of a connected server: the socket's directory belongs to root or to the
     * client's uid and is not writable by group or others, and the server's uid is 0 or the
     * client's own.
     */
    static void checkServer(Path socket, SocketChannel c) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        PosixFileAttributes d = Files.readAttributes(dir, PosixFileAttributes.class);
        int self = FileNodes.ownUid();
        int dirUid = (Integer) Files.getAttribute(dir, "unix:uid");
        if (dirUid != 0 && dirUid != self) {
            throw new UntrustedServerException(socket + ": its directory " + dir + " belongs to uid " + dirUid
                    + ", not to root or to you (uid " + self + "): not trusted");
        }
        if (d.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || d.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new UntrustedServerException(socket + ": its directory " + dir
                    + " is writable by group or others: not trusted");
        }
        UserPrincipal server = peer(c);
        UserPrincipal root = root();
        if (!server.equals(root) && (self == 0 || !server.equals(ownPrincipal()))) {
            throw new UntrustedServerException(socket + " is served by " + describe(server)
                    + (self == 0 ? ", not by root" : ", not by root or you") + ": not trusted");
        }
    }

    /**
     * This process's own user, by number: the owner (st_uid) of a file it creates, which the
     * kernel sets to its uid; no name lookup decides it.
     */
    private static UserPrincipal ownPrincipal() throws IOException {
        Path probe = Files.createTempFile("procmaster-uid", "");
        try {
            return Files.getOwner(probe, LinkOption.NOFOLLOW_LINKS);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** The client must not believe what this server says. */
    static final class UntrustedServerException extends IOException {
        private static final long serialVersionUID = 1L;

        UntrustedServerException(String message) {
            super(message);
        }
    }
}
