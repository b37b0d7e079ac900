package io.procmaster.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The report pm-dumpchild writes: argv, environment, descriptors, signal state. */
public final class ChildReport {
    public final List<String> argv = new ArrayList<>();
    public final List<String> env = new ArrayList<>();
    /** fd number to its description: link target plus socket type/domain. */
    public final Map<Integer, String> fds = new TreeMap<>();
    public final Map<String, Long> signals = new TreeMap<>();
    public String cwd;
    public int sid;
    public int pid;

    /** The one report in a file. */
    public static ChildReport read(Path file) throws IOException {
        List<ChildReport> all = readAll(file);
        if (all.size() != 1) {
            throw new IOException(file + " holds " + all.size() + " reports, expected one");
        }
        return all.get(0);
    }

    /** Every report appended to a file, in order. */
    public static List<ChildReport> readAll(Path file) throws IOException {
        List<ChildReport> out = new ArrayList<>();
        ChildReport r = null;
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(" ", 3);
            if (f[0].equals("report")) {
                r = new ChildReport();
                out.add(r);
                continue;
            }
            if (r == null) {
                throw new IOException("report without a header: " + line);
            }
            switch (f[0]) {
                case "argv" -> r.argv.add(f.length > 2 ? f[2] : "");
                case "env" -> r.env.add(line.substring(4));
                case "fd" -> r.fds.put(Integer.parseInt(f[1]), f[2]);
                case "sig" -> r.signals.put(f[1], Long.parseUnsignedLong(f[2].trim(), 16));
                case "cwd" -> r.cwd = line.substring(4);
                case "sid" -> {
                    String[] s = line.split(" ");
                    r.sid = Integer.parseInt(s[1]);
                    r.pid = Integer.parseInt(s[3]);
                }
                default -> throw new IOException("unexpected report line: " + line);
            }
        }
        return out;
    }

    /** The value of an environment variable in the report, or null. */
    public String env(String name) {
        for (String e : env) {
            if (e.startsWith(name + "=")) {
                return e.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** The link target of a descriptor in the report (such as socket:[123]). */
    public String target(int fd) {
        String d = fds.get(fd);
        return d == null ? null : d.split(" ")[0];
    }
}
