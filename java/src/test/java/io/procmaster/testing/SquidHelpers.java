package io.procmaster.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Squid's own helper programs, as Debian's {@code squid} package installs them
 * ({@code ci/install-squid.sh}), for the tests that drive them through a pool.
 *
 * <p>Interface: {@link #program(String)} gives the helper's path, or skips the calling test (JUnit
 * assumption) naming the missing program and the package that provides it.
 */
public final class SquidHelpers {
    /** Where Debian's squid package puts its helpers. */
    public static final Path DIRECTORY = Path.of("/usr/lib/squid");

    private SquidHelpers() {}

    /** The installed helper {@code name} (such as {@code basic_ncsa_auth}); skips the test if it is not installed. */
    public static Path program(String name) {
        Path p = DIRECTORY.resolve(name);
        assumeTrue(Files.isExecutable(p), () -> "Squid's helper " + p + " is not installed (Debian package squid; ci/install-squid.sh)");
        return p;
    }
}
