package io.procmaster;

/**
 * How {@link Master} starts besides its configuration and services: the switches of
 * {@link MasterBuilder} that are not main.cf parameters, handed from the builder to the master's
 * start in one value so that a new switch is one field here and one setter there.
 *
 * <p>Interface: {@link #defaults()} (what {@link Master#start(java.nio.file.Path, java.nio.file.Path,
 * java.util.List)} and {@link Master#start(io.procmaster.config.MasterConfig,
 * io.procmaster.config.ServiceTable)} use), {@link #registerMBeans()}. Package-private: callers set
 * these through the builder only. Immutable; no failure modes.
 *
 * @param registerMBeans whether the master registers its MXBeans with the platform MBeanServer at
 *                       start and unregisters them at close (default on; docs/java-api.md)
 */
record StartOptions(boolean registerMBeans) {

    /** The options of a master started without the builder: MXBeans registered. */
    static StartOptions defaults() {
        return new StartOptions(true);
    }
}
