package io.procmaster.loop;

import io.procmaster.config.CgroupLimits;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.log.Logs;
import io.procmaster.os.Cgroup2;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.slf4j.Logger;

/**
 * The cgroup2 directory a master with {@code service_cgroups = yes} makes its services' cgroups
 * in, found and checked before anything is bound (docs/cgroups.md "Delegation").
 *
 * <p>Interface: {@link #prepare} resolves {@code cgroup_directory} (empty: the master's own cgroup,
 * the {@code 0::} line of /proc/self/cgroup under the cgroup2 mount of /proc/self/mountinfo), moves
 * the master into the leaf {@code <dir>/master} when the directory is its own cgroup (cgroup2's
 * no-internal-processes rule: a cgroup that enables controllers for its children holds no
 * process), ends and removes the service cgroups a previous master left there (item 4 of issue 14:
 * that master no longer holds the instance lock, or this one could not have taken it), and enables
 * the controllers the limits need in {@code cgroup.subtree_control}. {@link #requireControllers}
 * checks a service's limits against what the directory offers.
 *
 * <p>Failure modes: every refusal is an {@link IOException} that says what is missing and what to do:
 * no cgroup2 mount, the root cgroup with no {@code cgroup_directory}, a directory outside the
 * mount, not writable (not delegated), a controller a limit needs absent from
 * {@code cgroup.controllers} (a hybrid host binds them to cgroup v1), processes in the directory
 * itself where controllers must be enabled.
 */
final class CgroupDelegation {
    private static final Logger log = Logs.logger(CgroupDelegation.class);
    /** How long a previous master's processes get to die after cgroup.kill, at start. */
    private static final long LEFTOVER_WAIT_NANOS = 5_000_000_000L;
    static final String MASTER_LEAF = "master";

    private CgroupDelegation() {
    }

    /**
     * What {@link #prepare} found: the checked directory, the controllers its cgroup.controllers
     * offers, and whether the host is hybrid (v1 hierarchies beside cgroup2); read once at start.
     */
    record Delegated(Path dir, Set<String> available, boolean hybrid) {
    }

    /** The checked directory; the master may have moved itself into its {@code master} leaf. */
    static Delegated prepare(MasterConfig config, Collection<ServiceSpec> services) throws IOException {
        String why = "service_cgroups = yes: ";
        Cgroup2.Mount mount = Cgroup2.mountPoint().orElseThrow(() -> new IOException(why
                + "no cgroup2 file system is mounted (no cgroup2 line in " + Cgroup2.PROC_SELF_MOUNTINFO
                + "); mount one, or set service_cgroups = no (docs/cgroups.md)"));
        String procCgroup = Files.readString(Cgroup2.PROC_SELF_CGROUP);
        boolean hybrid = Cgroup2.hybrid(procCgroup);
        Optional<String> own = Cgroup2.ownCgroup(procCgroup);
        Path ownDir = own.map(mount::directoryOf).orElse(null);
        Path dir;
        if (config.cgroupDirectory().isPresent()) {
            dir = config.cgroupDirectory().get().normalize();
            if (!dir.startsWith(mount.path())) {
                throw new IOException(why + MasterConfig.CGROUP_DIRECTORY + " = " + dir
                        + " is not under the cgroup2 mount at " + mount.path());
            }
        } else if (own.isEmpty()) {
            throw new IOException(why + Cgroup2.PROC_SELF_CGROUP + " has no 0:: (cgroup2) line; set "
                    + MasterConfig.CGROUP_DIRECTORY + " (docs/cgroups.md)");
        } else if (own.get().equals("/")) {
            throw new IOException(why + "the master is in the root cgroup (0::/ in " + Cgroup2.PROC_SELF_CGROUP
                    + "), and procmaster makes no cgroups at the top of the host's hierarchy: set "
                    + MasterConfig.CGROUP_DIRECTORY + " to a cgroup delegated to it, or run it under systemd with "
                    + "Delegate=yes (docs/cgroups.md)");
        } else {
            dir = ownDir;
        }
        if (!Files.isRegularFile(dir.resolve("cgroup.controllers"))) {
            throw new IOException(why + dir + " is not a cgroup2 directory (no cgroup.controllers)");
        }
        if (dir.equals(ownDir)) {
            moveIntoLeaf(dir, why);
        }
        endLeftovers(dir);
        Set<String> available = Cgroup2.controllers(dir, "cgroup.controllers");
        requireControllers(available, dir, hybrid, "main.cf", config.cgroupLimits());
        for (ServiceSpec s : services) {
            requireControllers(available, dir, hybrid, "service " + s.name(), ServiceViews.cgroupLimits(s, config));
        }
        // memory and pids for the status figures whenever offered; cpu only when a limit needs it.
        List<String> enable = new ArrayList<>();
        for (String c : List.of("memory", "pids")) {
            if (available.contains(c)) {
                enable.add(c);
            }
        }
        boolean cpu = CgroupLimits.limited(config.cgroupLimits().cpuMax())
                || services.stream().anyMatch(s -> CgroupLimits.limited(s.cgroupLimits().cpuMax()));
        if (cpu) {
            enable.add("cpu");
        }
        enableControllers(dir, enable);
        log.info("service cgroups under {} (controllers offered: {}{})", dir, available,
                hybrid ? "; a hybrid host: the others are bound to cgroup v1" : "");
        return new Delegated(dir, available, hybrid);
    }

    /** Throws when a limit is set whose controller the directory does not offer. */
    static void requireControllers(Set<String> available, Path dir, boolean hybrid, String where, CgroupLimits l)
            throws IOException {
        check(available, dir, hybrid, where, MasterConfig.SERVICE_MEMORY_MAX, l.memoryMax(), "memory");
        check(available, dir, hybrid, where, MasterConfig.SERVICE_PIDS_MAX, l.pidsMax(), "pids");
        check(available, dir, hybrid, where, MasterConfig.SERVICE_CPU_MAX, l.cpuMax(), "cpu");
    }

    private static void check(Set<String> available, Path dir, boolean hybrid, String where, String name,
                              String value, String controller) throws IOException {
        if (CgroupLimits.limited(value) && !available.contains(controller)) {
            throw new IOException(where + ": " + name + " = " + value + " needs the " + controller
                    + " controller, which " + dir.resolve("cgroup.controllers") + " does not offer (it offers "
                    + (available.isEmpty() ? "none" : String.join(" ", available)) + ")"
                    + (hybrid ? "; on this hybrid host it is bound to a cgroup v1 hierarchy" : "")
                    + " (docs/cgroups.md)");
        }
    }

    /** Adds the controllers to the directory's cgroup.subtree_control (one write each, so the error names it). */
    static void enableControllers(Path dir, Collection<String> controllers) throws IOException {
        Set<String> on = Cgroup2.controllers(dir, "cgroup.subtree_control");
        for (String c : new TreeSet<>(controllers)) {
            if (on.contains(c)) {
                continue;
            }
            try {
                Cgroup2.write(dir, "cgroup.subtree_control", "+" + c);
            } catch (IOException e) {
                throw new IOException("cannot enable the " + c + " controller in " + dir.resolve("cgroup.subtree_control")
                        + ": " + reason(e) + " (a cgroup that enables controllers for its children may hold no "
                        + "process itself: cgroup2's no-internal-processes rule; docs/cgroups.md)", e);
            }
        }
    }

    private static void moveIntoLeaf(Path dir, String why) throws IOException {
        Path leaf = dir.resolve(MASTER_LEAF);
        try {
            if (!Files.isDirectory(leaf)) {
                Files.createDirectory(leaf);
            }
            Cgroup2.write(leaf, "cgroup.procs", Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new IOException(why + "cannot move the master into " + leaf + ": " + reason(e)
                    + (e instanceof AccessDeniedException ? " (the cgroup is not delegated to this user: systemd's "
                    + "Delegate=yes, or a writable cgroup in the container)" : "") + " (docs/cgroups.md)", e);
        }
        log.info("moved the master into {} (a cgroup with child cgroups holds no process itself)", leaf);
    }

    /** cgroup.kill and rmdir of each service cgroup a previous master left in dir. */
    private static void endLeftovers(Path dir) throws IOException {
        List<Path> left;
        try (Stream<Path> s = Files.list(dir)) {
            left = s.filter(p -> p.getFileName().toString().startsWith(ServiceCgroups.PREFIX) && Files.isDirectory(p))
                    .toList();
        }
        for (Path p : left) {
            int n = Cgroup2.procs(p).size();
            boolean viaKill = Cgroup2.kill(p);
            long deadline = System.nanoTime() + LEFTOVER_WAIT_NANOS;
            while (Cgroup2.populated(p) && System.nanoTime() - deadline < 0) {
                if (!viaKill) {
                    Cgroup2.kill(p);
                }
                try {
                    Thread.sleep(10); // at start, before the loop runs: nothing else waits on this thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while ending " + p);
                }
            }
            try {
                Files.delete(p);
                log.warn("previous instance: cgroup {} held {} processes; ended them ({}) and removed it", p, n,
                        viaKill ? "cgroup.kill" : "SIGKILL to each pid");
            } catch (IOException e) {
                log.error("previous instance: cgroup {} held {} processes; ended them but cannot remove it: {}", p, n,
                        reason(e));
            }
        }
    }

    static String reason(IOException e) {
        String m = e.getMessage();
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
