package io.procmaster.policy;

/**
 * SpawnFailure - what {@link MasterActions#spawn} throws when no child was started.
 *
 * <p>The message is the text the policy logs after {@code "master_spawn: "}, such as
 * {@code "fork: Resource temporarily unavailable"} or
 * {@code "execve /no/such: No such file or directory"}. {@link #kind()} says which side failed:
 * {@link Kind#FORK} - no child process came to be (clone, resources, no status channel);
 * {@link Kind#EXEC} - a child was created but could not become the program (exec, dup2, setuid), and
 * has already been reaped. The policy handles both the same way (logged, service throttled, no
 * record); the kind is there for the log reader and the tests.
 *
 * <p>Failure modes: none; a null message is kept as "unknown spawn failure".
 */
public final class SpawnFailure extends Exception {

    private static final long serialVersionUID = 1L;

    /** Which step failed. */
    public enum Kind { FORK, EXEC }

    private final Kind kind;

    public SpawnFailure(Kind kind, String message) {
        super(message == null ? "unknown spawn failure" : message);
        this.kind = kind == null ? Kind.FORK : kind;
    }

    public Kind kind() {
        return kind;
    }
}
