package io.procmaster.os;

/** Two connected descriptors: the master's end and the end a child inherits. */
public record FdPair(Fd master, Fd child) implements AutoCloseable {
    @Override
    public void close() {
        master.close();
        child.close();
    }
}
