package io.procmaster.os;

import io.procmaster.os.jni.Native;


/**
 * errno texts, read from the C library once at class initialisation so that building an
 * exception costs no further call across the boundary (netty's approach).
 */
public final class Errno {
    private static final String[] TEXTS = Native.isAvailable() ? Native.errnoTexts0(256) : new String[0];
    private static final String[] STAGES = Native.isAvailable() ? Native.stageNames0() : new String[0];

    private Errno() {
    }

    /** The C library's text for errno {@code e} (positive). */
    public static String text(int e) {
        return e >= 0 && e < TEXTS.length ? TEXTS[e] : "errno " + e;
    }

    static String stage(int s) {
        return s >= 0 && s < STAGES.length ? STAGES[s] : "stage " + s;
    }

    /** An exception for a {@code -errno} result of {@code op}. */
    public static NativeIoException exception(String op, int negErrno) {
        return new NativeIoException(op, -negErrno);
    }

    /** Returns r when it is a result, throws when it is {@code -errno}. */
    static int check(String op, int r) throws NativeIoException {
        if (r < 0) {
            throw exception(op, r);
        }
        return r;
    }
}
