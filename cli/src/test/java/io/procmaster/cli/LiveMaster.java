package io.procmaster.cli;

import io.procmaster.Master;
import io.procmaster.testing.TestBin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real master on a master.cf in a temporary directory, with its control socket served as
 * {@code procmaster run} serves it, for the CLI tests: the test daemons come from the build.
 */
final class LiveMaster implements AutoCloseable {
    final Path dir;
    final Path masterCf;
    final Path socket;
    final Master master;
    final ControlServer control;

    private LiveMaster(Path dir, Path masterCf, Master master, ControlServer control) {
        this.dir = dir;
        this.masterCf = masterCf;
        this.socket = dir.resolve("control.sock");
        this.master = master;
        this.control = control;
    }

    /** The -o overrides that put the daemons, the queue directory and no services file in place. */
    static List<String> overrides(Path dir) {
        return List.of("daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent(),
                "queue_directory=" + dir, "services_file=", "service_drain_time=2s");
    }

    static LiveMaster start(Path dir, String masterCfText, String... moreOverrides) throws Exception {
        Path masterCf = Files.writeString(dir.resolve("master.cf"), masterCfText);
        List<String> all = new java.util.ArrayList<>(overrides(dir));
        all.addAll(List.of(moreOverrides));
        Master master = Master.start(masterCf, null, all);
        try {
            return new LiveMaster(dir, masterCf, master,
                    new ControlServer(dir.resolve("control.sock"), master, () -> master.stop()));
        } catch (Exception e) {
            master.close();
            throw e;
        }
    }

    /** {@code procmaster <command> --socket <ours> <args...>}. */
    CliRun cli(String command, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = command;
        all[1] = "--socket";
        all[2] = socket.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return CliRun.of(all);
    }

    @Override
    public void close() {
        control.close();
        master.close();
    }
}
