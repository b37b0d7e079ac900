package io.procmaster;

import io.procmaster.config.ConfigException;
import io.procmaster.config.MasterCfParser;
import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceSpecBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Master} from the Java API alone: master-wide parameters (main.cf style), the services,
 * the start switches, then {@link #start()} (docs/java-api.md).
 *
 * <pre>{@code
 * try (Master master = Master.builder()
 *         .queueDirectory(Path.of("/var/spool/myapp"))
 *         .service(ServiceSpec.inet("127.0.0.1:10025", "/usr/libexec/procmaster/pm-echo").maxProc(4))
 *         .start()) {
 *     System.out.print(master.statusText());
 * }
 * }</pre>
 *
 * <p>Interface: parameters come from built-in defaults, then {@link #mainCf(Path)} when given, then
 * {@link #parameter(String, String)} (and its shortcuts {@link #queueDirectory}, {@link #daemonDirectory}),
 * later ones winning, exactly as main.cf and {@code procmaster run -o} do
 * ({@link MasterConfig}). Services are the one service model, {@link ServiceSpecBuilder} (from
 * {@link ServiceSpec#inet}, {@link ServiceSpec#unix} or {@link ServiceSpec#builder}); they are built
 * at {@link #start()} against the final parameters, so a unix service's socket lands under the
 * queue directory given here and a relative command under the daemon directory given here. A
 * {@link ServiceSpec} already built is taken as written ({@link ServiceSpec#toBuilder()}) and built
 * again the same way. {@link #registerMBeans(boolean)} switches the master's MXBeans (on by
 * default).
 *
 * <p>Failure modes: {@link #start()} throws a {@link ConfigException} listing every bad parameter,
 * or every bad attribute of the first bad service (naming its master.cf field and value), and
 * {@link IOException} when the queue directory, the instance lock or a listener fails
 * (docs/edges.md); a duplicate service (same name and type) replaces the earlier one with a warning,
 * as in master.cf. Not thread-safe; the master it starts is.
 */
public final class MasterBuilder {
    private Path mainCf;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final List<ServiceSpecBuilder> services = new ArrayList<>();
    private boolean registerMBeans = true;
    private boolean readyAtStart = true;

    MasterBuilder() {
    }

    /**
     * Reads the master-wide parameters from this main.cf first (the parameters set here override it).
     *
     * @param file the main.cf file, read at {@link #start()}
     * @return this builder
     */
    public MasterBuilder mainCf(Path file) {
        this.mainCf = Objects.requireNonNull(file, "file");
        return this;
    }

    /**
     * Sets one master-wide parameter, as a main.cf line {@code name = value} would
     * ({@link MasterConfig} names them, e.g. {@link MasterConfig#SERVICE_THROTTLE_TIME}); checked at
     * {@link #start()}.
     *
     * @param name  the parameter's name
     * @param value its value, as written in main.cf
     * @return this builder
     */
    public MasterBuilder parameter(String name, String value) {
        parameters.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Sets every parameter of {@code values}, as {@link #parameter(String, String)} does each.
     *
     * @param values parameter names to values
     * @return this builder
     */
    public MasterBuilder parameters(Map<String, String> values) {
        values.forEach(this::parameter);
        return this;
    }

    /**
     * {@code queue_directory}: where the sockets of path-based services, the instance lock and the
     * children's working directory are (made absolute here; docs/edges.md "Queue directory").
     *
     * @param dir the directory; created at {@link #start()} if missing
     * @return this builder
     */
    public MasterBuilder queueDirectory(Path dir) {
        return parameter(MasterConfig.QUEUE_DIRECTORY, dir.toAbsolutePath().toString());
    }

    /**
     * {@code daemon_directory}: what a relative service command is resolved against (made absolute here).
     *
     * @param dir the directory
     * @return this builder
     */
    public MasterBuilder daemonDirectory(Path dir) {
        return parameter(MasterConfig.DAEMON_DIRECTORY, dir.toAbsolutePath().toString());
    }

    /**
     * Adds a service, built at {@link #start()} against the final parameters; services keep the order added.
     *
     * @param service the service's fields as written, e.g. {@code ServiceSpec.inet(address, command).maxProc(4)}
     * @return this builder
     */
    public MasterBuilder service(ServiceSpecBuilder service) {
        services.add(Objects.requireNonNull(service, "service"));
        return this;
    }

    /**
     * Adds a service already built; it is built again from its fields as written at {@link #start()}.
     *
     * @param service the service
     * @return this builder
     */
    public MasterBuilder service(ServiceSpec service) {
        return service(service.toBuilder());
    }

    /**
     * Whether the master registers its MXBeans with the platform MBeanServer (default true); off for
     * a server that runs several masters under one name or exposes no JMX.
     *
     * @param register whether to register them
     * @return this builder
     */
    public MasterBuilder registerMBeans(boolean register) {
        this.registerMBeans = register;
        return this;
    }

    /**
     * When systemd hears {@code READY=1} (only where {@code NOTIFY_SOCKET} is set; docs/systemd.md):
     * as soon as the master has bound every listener (true, the default), or when the server that
     * embeds it calls {@link Master#announceReady()} (false), once its own start is done too.
     *
     * @param atStart whether READY=1 goes out at start
     * @return this builder
     */
    public MasterBuilder readyAtStart(boolean atStart) {
        this.readyAtStart = atStart;
        return this;
    }

    /**
     * The master-wide parameters this builder gives the master: defaults, main.cf, then the
     * parameters set here.
     *
     * @return the parameters
     * @throws ConfigException when main.cf or a parameter is bad
     */
    public MasterConfig config() throws ConfigException {
        return parser().config();
    }

    /** The one way parameters are read (as {@link Master#start(Path, Path, List)} reads them): main.cf, then overrides. */
    private MasterCfParser parser() throws ConfigException {
        List<String> overrides = new ArrayList<>(parameters.size());
        parameters.forEach((name, value) -> overrides.add(name + "=" + value));
        return Master.masterCfParser(mainCf, overrides);
    }

    /**
     * Checks the parameters, builds the services against them and starts the master: it has bound
     * every listener when this returns and spawns children on demand.
     *
     * @return the running master; close it to stop it
     * @throws ConfigException when a parameter or a service is bad (nothing is started)
     * @throws IOException     when the queue directory, the instance lock or a listener fails
     */
    public Master start() throws ConfigException, IOException {
        MasterCfParser parser = parser();
        List<ServiceSpec> specs = new ArrayList<>(services.size());
        for (ServiceSpecBuilder s : services) {
            specs.add(s.build(parser.config()));
        }
        // The table carries main.cf's unused-parameter warnings, which the master logs at start.
        return Master.start(parser, parser.table(specs),
                new StartOptions(registerMBeans, System.getenv(), readyAtStart));
    }
}
