package io.procmaster.helper.wire;

import io.procmaster.helper.HelperReply;
import io.procmaster.helper.HelperReply.Code;
import io.procmaster.helper.HelperReply.Status;

/**
 * The parser's door into {@link HelperReply}: builds a reply that adopts the parser's arrays (the
 * reply's one copy of the line), without a public factory in the exported {@code helper} package,
 * where any caller could keep the arrays and change an "immutable" reply afterwards (review of
 * issue 12, item 5). {@code helper.wire} is not exported (module-info), so only the pool reaches it.
 *
 * <p>Interface: {@code HelperReply}'s static initialiser {@link #install installs} the one
 * implementation; {@link HelperReplyParser} calls {@link #get()}. The shared-secrets pattern of the
 * JDK: the constructor stays private to {@code HelperReply}.
 *
 * <p>Failure modes: {@link #parsed} throws {@link IllegalArgumentException} for parts that are not
 * consistent (a range outside the bytes, arrays too short); a second {@link #install} throws
 * {@link IllegalStateException}.
 */
public abstract class ReplyFactory {
    private static volatile ReplyFactory installed;

    protected ReplyFactory() {}

    /** Called once, by {@code HelperReply}'s static initialiser. */
    public static void install(ReplyFactory factory) {
        synchronized (ReplyFactory.class) {
            if (installed != null) throw new IllegalStateException("the HelperReply factory is installed already");
            installed = factory;
        }
    }

    static ReplyFactory get() {
        ReplyFactory f = installed;
        if (f != null) return f;
        try { // HelperReply's static initialiser installs it
            Class.forName(HelperReply.class.getName(), true, HelperReply.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return installed;
    }

    /**
     * A reply over the given arrays, which become the reply's (the caller must not change them).
     * {@code bytes[0, rawLength)} is the line; {@code other} is a range of it; note {@code i < noteCount}
     * is {@code keys[i]} with value {@code bytes[bounds[2i], bounds[2i] + bounds[2i+1])} (the arrays may
     * be longer than needed).
     *
     * @throws IllegalArgumentException if a range lies outside {@code bytes} or the arrays are too short
     */
    public abstract HelperReply parsed(Status status, Code code, byte[] bytes, int rawLength, int otherStart, int otherEnd,
                                       String[] keys, int[] bounds, int noteCount);
}
