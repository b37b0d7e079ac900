package io.procmaster.loop;

import io.procmaster.config.ServiceSpec;

/**
 * The master loop's runtime record of a service, not a second model: the one model
 * ({@link ServiceSpec}, replaced at reload) with the descriptors bound for it and whether they are
 * watched (docs/DESIGN.md §2, "One model of a service").
 *
 * <p>Interface: the fields, read and written by {@link MasterLoop} on its loop thread only.
 * Failure modes: none.
 */
final class BoundService {
    ServiceSpec spec;
    final ServiceDescriptors fds;
    boolean listening;

    BoundService(ServiceSpec spec, ServiceDescriptors fds) {
        this.spec = spec;
        this.fds = fds;
    }
}
