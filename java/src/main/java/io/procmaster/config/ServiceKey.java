package io.procmaster.config;

import java.util.Objects;

/**
 * The identity of a service: its canonical endpoint name and its transport type (spec
 * docs/postfix-master.md §1.1.5). Two master.cf entries with the same key are the same service, however field 1 is
 * spelled ({@code smtp inet} and {@code 25 inet} are one service); a reload matches old and
 * new services by this key.
 *
 * @param canonicalName e.g. {@code 25}, {@code [127.0.0.1]:10025}, {@code private/foo}
 * @param type          the transport
 */
public record ServiceKey(String canonicalName, ServiceType type) {

    /** The identity of a service: canonical name and type. */
    public ServiceKey {
        Objects.requireNonNull(canonicalName, "canonicalName");
        Objects.requireNonNull(type, "type");
    }

    /** {@code <canonical>/<type>}, e.g. {@code private/foo/unix}. */
    @Override
    public String toString() {
        return canonicalName + "/" + type.token();
    }
}
