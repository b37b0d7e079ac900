package io.procmaster.os.jni;

import java.util.Locale;

/**
 * The platform classifier of the native library: {@code linux-x86_64} or {@code linux-aarch64},
 * the same words the Maven build uses for the classifier jar and its resource folder.
 */
final class Platform {
    private Platform() {
    }

    static String classifier() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("linux") ? "linux" : os.replace(' ', '_');
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return o + "-" + a;
    }

    static boolean supported() {
        String c = classifier();
        return c.equals("linux-x86_64") || c.equals("linux-aarch64");
    }
}
