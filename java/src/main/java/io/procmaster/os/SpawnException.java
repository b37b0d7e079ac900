package io.procmaster.os;

/**
 * A spawn that failed, synchronously: the step that failed (such as {@code execve},
 * {@code dup2}, {@code setuid}), the program and the errno text, as in
 * {@code "execve /no/such: No such file or directory"}. The child, if one was created, has
 * already been reaped: a failed spawn leaves no zombie and no descriptor.
 */
public final class SpawnException extends NativeIoException {
    private static final long serialVersionUID = 1L;
    private final String stage;
    private final String path;

    SpawnException(String stage, String path, int errno) {
        super(stage + " " + path + ": " + Errno.text(errno), errno, true);
        this.stage = stage;
        this.path = path;
    }

    /** The step that failed, such as {@code execve}. */
    public String stage() {
        return stage;
    }

    /** The program that was to run. */
    public String path() {
        return path;
    }
}
