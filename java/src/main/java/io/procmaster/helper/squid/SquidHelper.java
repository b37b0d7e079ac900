package io.procmaster.helper.squid;

import io.procmaster.helper.HelperKind;
import io.procmaster.helper.HelperPoolConfig;
import io.procmaster.helper.HelperSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One helper that squid.conf configures, as a procmaster pool: its name and {@link HelperKind},
 * the {@link HelperPoolConfig} that its lines build (the same one {@code HelperPoolConfig.builder}
 * would build with those settings), the {@link HelperSpec} with program and arguments, the line that
 * names the program, the request format of an external ACL, and every Squid setting that shapes what
 * the caller does rather than the pool ({@link #settings()}: {@code ttl}, {@code realm},
 * {@code url_rewrite_extras}, ...). docs/helpers.md, "squid.conf → procmaster", lists where each
 * directive and option goes.
 *
 * <p>Immutable. Start it with {@code HelperPools.start(loop, helper.config(), helper.spec())}.
 *
 * <p>Failure modes: built only by the parser, which has checked every part (a bad squid.conf is a
 * {@link SquidConfException} there, never a half-built helper); a null part is a programming error
 * ({@link NullPointerException}). Starting the pool fails as {@code HelperPools.start} documents;
 * a helper process that cannot start is a start failure of the pool, counted and backed off.
 */
public final class SquidHelper {
    private final String name;
    private final String directive;
    private final HelperKind kind;
    private final HelperPoolConfig config;
    private final HelperSpec spec;
    private final SourceLine source;
    private final List<String> format;
    private final Map<String, String> settings;

    SquidHelper(String name, String directive, HelperKind kind, HelperPoolConfig config, HelperSpec spec,
                SourceLine source, List<String> format, Map<String, String> settings) {
        this.name = Objects.requireNonNull(name, "name");
        this.directive = Objects.requireNonNull(directive, "directive");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.config = Objects.requireNonNull(config, "config");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.source = Objects.requireNonNull(source, "source");
        this.format = List.copyOf(format);
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * The helper's name: the scheme of {@code auth_param} ({@code basic}, {@code digest},
     * {@code ntlm}, {@code negotiate}), the name of an {@code external_acl_type}, or
     * {@code url_rewrite}, {@code store_id}, {@code sslcrtvalidator}, {@code sslcrtd}.
     */
    public String name() { return name; }
    /** The directive that names the program ({@code auth_param basic program}, {@code external_acl_type}, {@code url_rewrite_program}, ...). */
    public String directive() { return directive; }
    /** Squid's kind of helper, whose request conventions and defaults the pool follows. */
    public HelperKind kind() { return kind; }
    /** The pool configuration the helper's lines build. */
    public HelperPoolConfig config() { return config; }
    /** Program and arguments. */
    public HelperSpec spec() { return spec; }
    /** The line that names the program (for {@code auth_param}: its {@code program} line). */
    public SourceLine source() { return source; }
    /**
     * The request format of an external ACL as Squid uses it: the {@code %} tokens as written, with
     * {@code %DATA} appended when none of them is a {@code %DATA} (Squid appends it); empty for other kinds.
     */
    public List<String> format() { return format; }
    /**
     * The settings that are the caller's business, not the pool's, by Squid's option name with the
     * value as Squid reads it ({@code ttl=3600}, {@code negative_ttl}, {@code cache}, {@code grace},
     * {@code quote=url|shell}, {@code realm}, {@code credentialsttl} in seconds, {@code key_extras},
     * {@code url_rewrite_extras}, ...); docs/helpers.md lists them. Insertion-ordered.
     */
    public Map<String, String> settings() { return settings; }

    @Override
    public String toString() {
        return "SquidHelper{" + name + " " + kind + " " + config + " " + spec + " at " + source.place() + "}";
    }
}
