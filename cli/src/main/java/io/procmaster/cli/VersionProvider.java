package io.procmaster.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code procmaster --version}: the version Maven wrote into {@code version.properties} at build
 * time (resource filtering of the root pom's version), so no source file repeats it.
 *
 * <p>Failure mode: a class path without the filtered resource (an IDE that does not filter)
 * prints {@code procmaster (version unknown)} instead of failing.
 */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"procmaster " + version()};
    }

    /** The build's version, or {@code (version unknown)}. */
    static String version() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // unreadable resource: fall through to "unknown"
        }
        String v = p.getProperty("version", "");
        return v.isEmpty() || v.startsWith("${") ? "(version unknown)" : v;
    }
}
