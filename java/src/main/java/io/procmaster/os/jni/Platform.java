package io.procmaster.os.jni;

import java.util.List;
import java.util.Locale;

/**
 * The platform classifier of the native library: {@code linux-x86_64} or {@code linux-aarch64},
 * the same words the Maven build uses for the classifier jars and their resource folders
 * ({@code META-INF/native/<platform>/libprocmaster.so}).
 *
 * <p>Interface: {@link #classifier()} from {@code os.name} and {@code os.arch} ({@code amd64} and
 * {@code x86_64} name x86_64, {@code aarch64} and {@code arm64} aarch64; any other word is kept,
 * so that an error can name it); {@link #supported(String)}; {@link #unsupported(String, String)},
 * the reason the loader gives on a platform without a jar, naming every platform that has one.
 * Pure functions of the two properties: no failure modes.
 */
final class Platform {
    /** The platforms a classifier jar is built for. */
    static final List<String> SUPPORTED = List.of("linux-x86_64", "linux-aarch64");

    private Platform() {
    }

    static String classifier() {
        return classifier(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    static String classifier(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        String o = os.startsWith("linux") ? "linux" : os.replace(' ', '_');
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return o + "-" + a;
    }

    static boolean supported(String classifier) {
        return SUPPORTED.contains(classifier);
    }

    /** Why there is no library for this machine: its platform, the two properties, and the ones there are. */
    static String unsupported(String osName, String osArch) {
        return "platform " + classifier(osName, osArch) + " (os.name=" + osName + ", os.arch=" + osArch
                + ") is not supported: native jars exist for " + String.join(" and ", SUPPORTED);
    }
}
