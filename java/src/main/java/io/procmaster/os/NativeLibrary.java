package io.procmaster.os;

import io.procmaster.os.jni.Native;

/**
 * Whether the C core loaded, for the library's users: the JNI boundary itself
 * ({@code io.procmaster.os.jni}) is not exported by the module.
 *
 * <p>Interface: {@link #isAvailable}, {@link #unavailabilityCause}. The library is looked up once,
 * when this class or any class of {@code io.procmaster.os} first touches the natives (README,
 * "Using it from Java": the places tried, in order). Failure modes: none here; a cause, when there
 * is one, names the platform, every place tried and a {@code noexec} work directory.
 */
public final class NativeLibrary {
    private NativeLibrary() {
    }

    /** True when {@code libprocmaster.so} loaded and answered. */
    public static boolean isAvailable() {
        return Native.isAvailable();
    }

    /** Why the library did not load, or {@code null} when it did. */
    public static Throwable unavailabilityCause() {
        return Native.unavailabilityCause();
    }
}
