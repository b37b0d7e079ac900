package io.procmaster.helper.squid;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The helpers a squid.conf configures, read as Squid 5.7 reads its helper lines, each as the
 * {@link io.procmaster.helper.HelperPoolConfig} and {@link io.procmaster.helper.HelperSpec} that
 * the builders would make of the same settings (docs/helpers.md, "squid.conf → procmaster").
 *
 * <p>Interface: {@link #parse(Path)} or {@link #parse(String, String)}; then {@link #helpers()}
 * (authentication schemes, external ACL types, the URL rewriter, the store-ID helper, the
 * certificate validator and generator, in that order), {@link #helper(String)} by name,
 * {@link #warnings()} (Squid's corrections, in Squid's words where Squid prints them, and what
 * procmaster could not apply) and {@link #otherLines()} (the lines that configure no helper,
 * which are not read further). Lines are read as Squid reads them: comments, {@code \}
 * continuation, {@code include}, {@code if}/{@code else}/{@code endif}, the {@code ${...}} macros
 * and {@code configuration_includes_quoted_values}.
 *
 * <p>Failure modes: {@link SquidConfException} naming file, line, directive and value, at the first
 * line Squid refuses ({@code FATAL: Bungled ...}) or that a pool cannot run; where Squid corrects a
 * value and runs ({@code auth_param basic children 5 startup=9 idle=0}), so does the parser, with a
 * warning. Immutable once parsed.
 */
public final class SquidConf {
    private final List<SquidHelper> helpers;
    private final List<SquidConfWarning> warnings;
    private final List<SourceLine> otherLines;

    private SquidConf(List<SquidHelper> helpers, List<SquidConfWarning> warnings, List<SourceLine> otherLines) {
        this.helpers = List.copyOf(helpers);
        this.warnings = List.copyOf(warnings);
        this.otherLines = List.copyOf(otherLines);
    }

    /** Reads {@code file} (and what it includes). */
    public static SquidConf parse(Path file) throws SquidConfException {
        Objects.requireNonNull(file, "file");
        return of(ConfReader.read(file));
    }

    /** Reads {@code text} as the contents of a file named {@code fileName} (for messages; includes are read from disk). */
    public static SquidConf parse(String text, String fileName) throws SquidConfException {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(fileName, "fileName");
        return of(ConfReader.read(text, fileName));
    }

    private static SquidConf of(List<SourceLine> lines) throws SquidConfException {
        Diagnostics d = new Diagnostics();
        HelperDirectives directives = new HelperDirectives(d);
        List<SourceLine> others = new ArrayList<>();
        for (SourceLine line : lines) {
            if (!directives.line(line)) others.add(line);
        }
        List<SquidHelper> helpers = directives.helpers();
        return new SquidConf(helpers, d.warnings(), others);
    }

    /** Every helper configured, in the order of the class comment. */
    public List<SquidHelper> helpers() {
        return helpers;
    }

    /** The first helper named {@code name} ({@code basic}, {@code url_rewrite}, an external ACL's name, ...). */
    public Optional<SquidHelper> helper(String name) {
        return helpers.stream().filter(h -> h.name().equals(name)).findFirst();
    }

    /** Every warning, in the order of the lines. */
    public List<SquidConfWarning> warnings() {
        return warnings;
    }

    /** The lines that are not helper directives ({@code http_port}, {@code acl}, ...), not read further. */
    public List<SourceLine> otherLines() {
        return otherLines;
    }
}
