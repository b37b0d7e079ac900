package io.procmaster.helper.squid;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's real Squid checking a configuration: {@code squid -k parse -f FILE}, which reads and
 * checks the file and exits; it sends no signal, writes no pid file, opens no listening port and
 * touches no cache (squid(8): "-k parse: Parse configuration file, then ... exit"; checked with
 * strace: no file opened for writing, no signal sent, only an ephemeral bind on ::1 port 0 to probe
 * IPv6). As root it runs as it is: {@code -k parse} changes no user.
 *
 * <p>Interface: {@link #run} gives Squid's exit code, its whole output, and its messages grouped by
 * the logical line it was processing ({@code Processing: LINE} starts a group), each message without
 * its timestamp and without the {@code file(N) directive: } prefix some carry. {@link #SQUID} is the
 * binary; {@link #assumeInstalled} skips the test with the reason where it is absent.
 */
final class SquidKParse {
    static final Path SQUID = Path.of("/usr/sbin/squid");
    private static final Pattern STAMP = Pattern.compile("^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?\\|\\s?(.*)$");
    private static final Pattern LOCATION = Pattern.compile("^\\S+\\(\\d+\\) \\S+: (.*)$");

    /** What one run printed. */
    record Result(int exitCode, String output, Map<String, List<String>> messagesByLine) {}

    private SquidKParse() {}

    static void assumeInstalled() {
        assumeTrue(Files.isExecutable(SQUID), () -> SQUID + " is not installed (Debian package squid; ci/install-squid.sh)");
    }

    /** Runs {@code squid -k parse -f conf} (at most 60 s) and groups its messages by line. */
    static Result run(Path conf) throws IOException, InterruptedException {
        Path out = Files.createTempFile(conf.getParent(), "squid-k-parse", ".log");
        Process p = new ProcessBuilder(SQUID.toString(), "-k", "parse", "-f", conf.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("squid -k parse did not finish within 60 s");
        }
        String text = Files.readString(out, StandardCharsets.ISO_8859_1);
        Map<String, List<String>> byLine = new LinkedHashMap<>();
        List<String> current = null;
        for (String raw : text.split("\n")) {
            Matcher m = STAMP.matcher(raw);
            if (!m.matches()) continue; // CPU usage and the like, without a timestamp
            String msg = m.group(1);
            if (msg.startsWith("Processing: ")) {
                current = byLine.computeIfAbsent(msg.substring("Processing: ".length()), k -> new ArrayList<>());
                continue;
            }
            if (current == null) continue; // start-up lines before the first configuration line
            Matcher loc = LOCATION.matcher(msg);
            current.add(loc.matches() ? loc.group(1) : msg);
        }
        return new Result(p.exitValue(), text, byLine);
    }
}
