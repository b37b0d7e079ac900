package io.procmaster.policy;

/**
 * GenerationCounter - the master-wide spawn serial passed to children as {@code GENERATION}.
 *
 * <p>Interface: {@link #next()} increments first and returns the new value, so the first spawn
 * attempt gets 1 (docs/postfix-master.md §3.3). Every attempt uses a number, failed ones included. Values are unsigned
 * 32-bit, carried in a {@code long}, and wrap from 4294967295 to 0. {@link #toOctal(long)} gives the
 * environment form: octal, no leading zero, no prefix (the 8th child sees {@code 10}).
 *
 * <p>It is never reset, not even by a reload: the number only guards against stale status records
 * from a reused pid (HISTORY 20041117). Reload retires children by closing the status channel.
 *
 * <p>Failure modes: none. Not thread-safe (the loop owns it).
 */
public final class GenerationCounter {

    private static final long MASK = 0xFFFF_FFFFL;

    private long last;

    /** A counter whose first {@link #next()} is 1. */
    public GenerationCounter() {
        this(0L);
    }

    /** A counter whose first {@link #next()} is {@code last + 1} (mod 2^32); for wrap tests. */
    public GenerationCounter(long last) {
        this.last = last & MASK;
    }

    /** Uses up and returns the next generation number. */
    public long next() {
        last = (last + 1) & MASK;
        return last;
    }

    /** The last number handed out (0 before the first spawn attempt). */
    public long last() {
        return last;
    }

    /** Normalizes any long, for example a sign-extended int from a status record, to uint32. */
    public static long normalize(long generation) {
        return generation & MASK;
    }

    /** Octal form for the {@code GENERATION} environment variable. */
    public static String toOctal(long generation) {
        return Long.toOctalString(generation & MASK);
    }
}
