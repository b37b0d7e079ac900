package io.procmaster.loop;

import io.procmaster.config.InetEndpoint;
import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceType;
import io.procmaster.os.Channels;
import io.procmaster.os.EventLoop;
import io.procmaster.os.Fd;
import io.procmaster.os.FdPair;
import io.procmaster.os.FileNodes;
import io.procmaster.os.NativeIoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;

/**
 * The descriptors of one service (master_listen, master_status): its listen sockets (the child's
 * fds 6..) and its status channel (the child's fd 5).
 *
 * <p>Stream listeners (inet, unix, pass) are bound with the service's listen backlog
 * ({@link ServiceSpec#listenBacklog()}: the larger of maxproc and default_process_limit).
 *
 * <p>Listeners are bound when the service is added, before the policy hears of it, so a reload
 * whose new service cannot bind fails as a whole (docs/postfix-master.md §10 W10). The status channel is replaced to tell a
 * generation of children to leave: closing the master's end is what they see as EOF on fd 5.
 *
 * <p>The socket or FIFO file of a path-based service is given to {@code mail_owner} when that is
 * set, as Postfix's master creates it as that user: daemons that dropped their privileges to
 * {@code mail_owner} (smtpd, cleanup, ...) must be able to connect to the private sockets of the
 * others (anvil, trivial-rewrite, ...), which are mode 0600.
 *
 * <p>The directory a socket or FIFO goes in was checked and made by {@link QueueDirectory}; here
 * only a socket or FIFO at the path is replaced (one the master left behind: the instance lock
 * says no other master is using it), never a link, a regular file or a directory. At close the
 * path is unlinked only if it is still the node (st_dev, st_ino) this master bound.
 *
 * <p>A listener the master was given by socket activation ({@link AdoptedSockets.Claim}) is used
 * instead of binding that address; its file is systemd's (never chowned, never unlinked), and at
 * close it goes back to the pool open (docs/socket-activation.md).
 *
 * <p>Failure modes: {@link #bind} closes whatever it had bound when one address fails, or when the
 * file cannot be given to {@code mail_owner}, and throws an {@link IOException} naming the service
 * and the address.
 */
final class ServiceDescriptors {
    private final List<Fd> listeners;
    private final Path socketFile;
    private final FileNodes.Node socketNode; // the node bind made at socketFile, or null
    private final AdoptedSockets.Claim adopted; // the listeners that are the pool's, not ours to close
    private FdPair status;

    private ServiceDescriptors(List<Fd> listeners, Path socketFile, FileNodes.Node socketNode,
                               AdoptedSockets.Claim adopted) {
        this.listeners = listeners;
        this.socketFile = socketFile;
        this.socketNode = socketNode;
        this.adopted = adopted;
    }

    /**
     * Binds the listeners of {@code spec} that {@code adopted} does not give; {@code owner} (may be
     * null) gets the socket or FIFO file. The claim is this object's from here: released on failure
     * or at {@link #close}.
     */
    static ServiceDescriptors bind(ServiceSpec spec, UserPrincipal owner, AdoptedSockets.Claim adopted)
            throws IOException {
        List<Fd> bound = new ArrayList<>();
        Fd given = spec.type() == ServiceType.INET ? null : adopted.socketFor(0);
        Path file = given != null ? null : spec.socketPath().orElse(null); // an adopted file is systemd's
        try {
            if (given != null) {
                bound.add(given);
            } else {
                bindAll(spec, file, adopted, bound);
            }
            if (file != null && owner != null) {
                giveTo(spec, file, owner);
            }
            ServiceDescriptors d = new ServiceDescriptors(bound, file, file == null ? null : FileNodes.Node.of(file),
                    adopted);
            d.status = Channels.open(Channels.Kind.STATUS);
            return d;
        } catch (IOException | RuntimeException e) {
            bound.stream().filter(fd -> !adopted.owns(fd)).forEach(Fd::close);
            adopted.release();
            throw e;
        }
    }

    /** Binds (or for inet endpoints, takes from the claim) every listener of spec into bound. */
    private static void bindAll(ServiceSpec spec, Path file, AdoptedSockets.Claim adopted, List<Fd> bound)
            throws IOException {
        switch (spec.type()) {
            case INET -> {
                List<InetEndpoint> endpoints = spec.listenEndpoints();
                for (int i = 0; i < endpoints.size(); i++) {
                    InetEndpoint e = endpoints.get(i);
                    String host = e.isWildcard() ? "" : e.host();
                    Fd given = adopted.socketFor(i);
                    bound.add(given != null ? given : bindOne(spec, e.toString(),
                            () -> Channels.listenInet(host, e.port(), spec.listenBacklog())));
                }
            }
            case UNIX, PASS -> {
                QueueDirectory.checkServicePath(label(spec), file);
                bound.add(bindOne(spec, file.toString(),
                        () -> Channels.listenUnix(file.toString(), spec.listenBacklog(),
                                spec.isPrivate() ? 0600 : 0666)));
            }
            case UNIX_DGRAM -> {
                QueueDirectory.checkServicePath(label(spec), file);
                bound.add(bindOne(spec, file.toString(),
                        () -> Channels.bindUnixDgram(file.toString(), spec.isPrivate() ? 0600 : 0666)));
            }
            case FIFO -> {
                QueueDirectory.checkServicePath(label(spec), file);
                bound.add(bindOne(spec, file.toString(),
                        () -> Channels.openFifo(file.toString(), spec.isPrivate() ? 0600 : 0622)));
            }
            default -> throw new IOException("service " + spec.name() + ": unsupported type " + spec.type());
        }
    }

    private static String label(ServiceSpec spec) {
        return spec.name() + "/" + spec.type().token();
    }

    private static void giveTo(ServiceSpec spec, Path file, UserPrincipal owner) throws IOException {
        try {
            // The file itself, never what a link put in its place would point to.
            Files.getFileAttributeView(file, FileOwnerAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(owner);
        } catch (IOException e) {
            throw new IOException("service " + spec.name() + "/" + spec.type().token() + ": cannot give " + file
                    + " to mail_owner " + owner.getName() + ": " + e.getMessage(), e);
        }
    }

    private interface Binder {
        Fd bind() throws NativeIoException;
    }

    private static Fd bindOne(ServiceSpec spec, String address, Binder b) throws IOException {
        try {
            return b.bind();
        } catch (NativeIoException e) {
            throw new IOException("service " + spec.name() + "/" + spec.type().token() + ": cannot listen on "
                    + address + ": " + e.getMessage(), e);
        }
    }

    List<Fd> listeners() {
        return listeners;
    }

    /** The current status channel, or null after {@link #closeStatus}. */
    FdPair status() {
        return status;
    }

    /** Closes the status channel (children see EOF on fd 5) and opens a new one. */
    FdPair renewStatus(EventLoop loop) throws NativeIoException {
        closeStatus(loop);
        status = Channels.open(Channels.Kind.STATUS);
        return status;
    }

    void closeStatus(EventLoop loop) {
        if (status != null) {
            loop.unregister(status.master().intValue());
            status.close();
            status = null;
        }
    }

    /** Closes everything; removes the socket file of a unix service if it is still the one bound. */
    void close(EventLoop loop) {
        closeStatus(loop);
        for (Fd fd : listeners) {
            loop.unregister(fd.intValue());
            if (!adopted.owns(fd)) {
                fd.close();
            }
        }
        adopted.release(); // open, for a later service with the same address
        if (socketNode != null) {
            try {
                // Only the node this master bound; never what someone put there since.
                socketNode.unlinkIfStill(socketFile);
            } catch (IOException ignored) {
                // a stale socket file is replaced at the next bind anyway
            }
        }
    }
}
