package io.procmaster;

import java.util.Map;

/**
 * How {@link Master} starts besides its configuration and services: the switches of
 * {@link MasterBuilder} that are not main.cf parameters, handed from the builder to the master's
 * start in one value so that a new switch is one field here and one setter there.
 *
 * <p>Interface: {@link #defaults()} (what {@link Master#start(java.nio.file.Path, java.nio.file.Path,
 * java.util.List)} and {@link Master#start(io.procmaster.config.MasterConfig,
 * io.procmaster.config.ServiceTable)} use), {@link #registerMBeans()}, {@link #environment()}, {@link #readyAtStart()}.
 * Package-private: callers set these through the builder only (the environment: tests, with
 * {@link #withEnvironment}). Immutable (the environment is copied); no failure modes.
 *
 * @param registerMBeans whether the master registers its MXBeans with the platform MBeanServer at
 *                       start and unregisters them at close (default on; docs/java-api.md)
 * @param environment    the master's own environment, read at start: what {@code import_environment}
 *                       passes on, {@code NOTIFY_SOCKET}/{@code WATCHDOG_USEC} (docs/systemd.md) and
 *                       socket activation's {@code LISTEN_*} (docs/socket-activation.md);
 *                       {@link System#getenv()} unless a test gives its own
 * @param readyAtStart   whether systemd's {@code READY=1} goes out as soon as the master is up
 *                       (default), or waits for {@link Master#announceReady()} from a caller that has
 *                       more to set up first, as {@code procmaster run} its control socket (docs/systemd.md)
 */
record StartOptions(boolean registerMBeans, Map<String, String> environment, boolean readyAtStart) {

    /** Options with the process's own environment, READY=1 at start. */
    StartOptions(boolean registerMBeans) {
        this(registerMBeans, System.getenv());
    }

    /** Options with the given environment, READY=1 at start. */
    StartOptions(boolean registerMBeans, Map<String, String> environment) {
        this(registerMBeans, environment, true);
    }

    /** Null is refused (there is always an environment, if only an empty one); the copy is immutable. */
    StartOptions {
        environment = Map.copyOf(java.util.Objects.requireNonNull(environment, "environment"));
    }

    /** The options of a master started without the builder: MXBeans registered, the process's environment. */
    static StartOptions defaults() {
        return new StartOptions(true);
    }

    /** The same switches, READY=1 left to {@link Master#announceReady()} when {@code atStart} is false. */
    StartOptions withReadyAtStart(boolean atStart) {
        return new StartOptions(registerMBeans, environment, atStart);
    }

    /** The same switches with another environment (an in-process test of systemd notify). */
    StartOptions withEnvironment(Map<String, String> env) {
        return new StartOptions(registerMBeans, env, readyAtStart);
    }
}
