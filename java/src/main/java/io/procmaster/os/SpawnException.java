package io.procmaster.os;


/**
 * A spawn that failed, synchronously: the step that failed (such as {@code execve},
 * {@code dup2}, {@code setuid}), the program and the errno text, as in
 * {@code "execve /no/such: No such file or directory"}; at the descriptor plan, the operation
 * that failed instead of the stage, as in {@code "dup2 1000 -> 3 for /bin/true: Bad file descriptor"}. The child, if one was created, has
 * already been reaped: a failed spawn leaves no zombie and no descriptor.
 */
public final class SpawnException extends NativeIoException {
    private static final long serialVersionUID = 1L;
    /** The spawn step that failed (such as {@code execve}). */
    private final String stage;
    /** The program. */
    private final String path;

    /** The operation that failed: the stage, or at the descriptor plan the very operation. */
    private final String operation;

    SpawnException(String stage, String operation, String path, int errno) {
        super((operation != null ? operation + " for " : stage + " ") + path + ": " + Errno.text(errno), errno, true);
        this.stage = stage;
        this.operation = operation != null ? operation : stage;
        this.path = path;
    }

    /** The step that failed, such as {@code execve}. */
    public String stage() {
        return stage;
    }

    /**
     * The failed operation: at the {@code dup2} stage the descriptor operation itself
     * ({@code dup2 1000 -> 3}), else the same as {@link #stage()}.
     */
    public String operation() {
        return operation;
    }

    /** The program that was to run. */
    public String path() {
        return path;
    }
}
