package io.procmaster.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM for {@link ControlSocketEdgesTest}: starts a ControlServer on the socket named by
 * args[0], then uses up every descriptor its limit (args[1], set by prlimit) allows, shows that a user
 * name lookup now fails, frees exactly one descriptor (for the accept) and prints {@code ready}.
 * It exits when its stdin closes. Lines it prints: {@code lookup failed: ...} or {@code lookup
 * worked: ...}, then {@code ready}.
 */
public final class EmfileControlServer {
    private EmfileControlServer() {
    }

    public static void main(String[] args) throws Exception {
        try (ControlServer server = new ControlServer(Path.of(args[0]), EmfileControlServer::answer, () -> { })) {
            List<FileChannel> hog = new ArrayList<>();
            System.out.println("exhausted after " + exhaust(hog) + ": " + hog.size());
            try {
                String name = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("root").getName();
                System.out.println("lookup worked: " + name);
            } catch (IOException e) {
                System.out.println("lookup failed: " + e.getMessage());
            }
            // Again, after a pause: a JVM thread may have held a descriptor for a moment meanwhile.
            Thread.sleep(500);
            exhaust(hog);
            // Leave exactly one descriptor for the accept. A thread blocked in accept(2) already
            // holds its number (Linux reserves it before waiting), invisible in /proc/self/fd.
            hog.remove(hog.size() - 1).close();
            int limit = Integer.parseInt(args[1]);
            int visible = 0;
            for (String fd : new java.io.File("/proc/self/fd").list()) { // one descriptor (opendir)
                visible += Integer.parseInt(fd) < limit ? 1 : 0;
            }
            int reservedByAccept = limit - visible; // visible counts the listing's own descriptor, now free again
            if (reservedByAccept > 0) {
                hog.add(FileChannel.open(Path.of("/dev/null")));
            }
            System.out.println("reserved by a blocked accept: " + reservedByAccept);
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin
            }
            for (FileChannel c : hog) {
                c.close();
            }
        }
    }

    /** Opens /dev/null until the descriptor limit refuses; returns why it stopped. */
    private static String exhaust(List<FileChannel> hog) {
        try {
            while (true) {
                hog.add(FileChannel.open(Path.of("/dev/null")));
            }
        } catch (IOException expected) {
            return expected.getMessage();
        }
    }

    private static String answer(String command) {
        return "ok\nanswered " + command + "\n";
    }
}
