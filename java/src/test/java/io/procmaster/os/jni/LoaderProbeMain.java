package io.procmaster.os.jni;

/**
 * Run in a JVM of its own by {@link NativeLoaderTest}: loads the native library as any user of the
 * library does (through {@link Native}) and prints {@code available}, or {@code unavailable: } and
 * the loader's error message. Exit status 0 either way.
 */
public final class LoaderProbeMain {
    private LoaderProbeMain() {
    }

    public static void main(String[] args) {
        Throwable cause = Native.unavailabilityCause();
        System.out.println(cause == null ? "available" : "unavailable: " + cause.getMessage());
    }
}
