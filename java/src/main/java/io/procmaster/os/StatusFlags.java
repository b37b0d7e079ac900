package io.procmaster.os;

import io.procmaster.os.jni.Native;

/** How the loop judged a status packet; the policy decides what to do about it. */
public final class StatusFlags {
    private StatusFlags() {
    }

    /** The record's pid is not the sender's pid from the kernel's credentials. */
    public static boolean forged(int flags) {
        return (flags & Native.ST_FORGED) != 0;
    }

    /** The packet was not exactly one 12-byte record (partial or oversized). */
    public static boolean malformed(int flags) {
        return (flags & Native.ST_MALFORMED) != 0;
    }

    /** The packet came without credentials (the channel lacks SO_PASSCRED). */
    public static boolean noCredentials(int flags) {
        return (flags & Native.ST_NOCRED) != 0;
    }

    /** The size of one status record, from C. */
    public static int recordSize() {
        return Native.STATUS_RECORD_SIZE;
    }
}
