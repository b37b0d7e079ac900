package io.procmaster.os;

import io.procmaster.os.jni.Native;

/**
 * The signal numbers the native core reports (asked from C once, in {@link Native}'s constant table),
 * for callers outside this package that signal a {@link ChildProcess}: no hard-coded numbers in Java.
 *
 * <p>Interface: {@link #kill()} (SIGKILL), {@link #term()} (SIGTERM). Failure modes: none; the values
 * are read when {@link Native} loads, which fails the class's initialisation if the library is missing.
 */
public final class Signals {
    private Signals() {}

    /** SIGKILL as the C library defines it. */
    public static int kill() {
        return Native.SIGKILL;
    }

    /** SIGTERM as the C library defines it. */
    public static int term() {
        return Native.SIGTERM;
    }
}
