package io.procmaster.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The operator's side of a {@link PostfixInstance}: Postfix's own commands (sendmail, postqueue,
 * postfix) run against the instance's configuration directory, and the maildirs local(8) and
 * virtual(8) deliver into.
 *
 * <p>Every command runs with {@code MAIL_CONFIG} set to the instance's conf directory, its output
 * and error output captured, and is killed after 30 s (then reported as exit -1). Nothing here
 * asserts: callers assert on the {@link Result}.
 */
public final class PostfixMail {
    /** How a command ended: its exit status (-1: killed after 30 s) and what it printed. */
    public record Result(int exit, String output) {}

    private PostfixMail() {}

    /** {@code sendmail -f from rcpt...} with the message text on its input (postdrop, then pickup). */
    public static Result sendmail(PostfixInstance p, String from, String text, String... recipients) throws Exception {
        List<String> argv = new ArrayList<>(List.of(PostfixInstance.SENDMAIL.toString(), "-f", from));
        argv.addAll(List.of(recipients));
        return run(p, text, argv);
    }

    /** A Postfix command ({@code /usr/sbin/NAME args...}), with no input. */
    public static Result command(PostfixInstance p, String name, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Path.of("/usr/sbin", name).toString()));
        argv.addAll(List.of(args));
        return run(p, null, argv);
    }

    private static Result run(PostfixInstance p, String input, List<String> argv) throws Exception {
        Path out = Files.createTempFile(p.conf, "cmd", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("MAIL_CONFIG", p.conf.toString());
            Process proc = pb.start();
            try (OutputStream in = proc.getOutputStream()) {
                if (input != null) {
                    in.write(input.getBytes(StandardCharsets.US_ASCII));
                }
            }
            if (!proc.waitFor(30, TimeUnit.SECONDS)) {
                proc.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, Files.readString(out));
            }
            return new Result(proc.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** The texts of the messages in the maildir's {@code new/}, oldest name first; empty when none. */
    public static List<String> maildir(Path maildir) throws IOException {
        Path dir = maildir.resolve("new");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> texts = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                texts.add(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        return texts;
    }

    /** The maildir's messages once there are at least {@code n}, or as they are after 30 s. */
    public static List<String> awaitMaildir(Path maildir, int n) throws Exception {
        List<String> texts = maildir(maildir);
        for (int i = 0; i < 300 && texts.size() < n; i++) {
            TimeUnit.MILLISECONDS.sleep(100);
            texts = maildir(maildir);
        }
        return texts;
    }
}
