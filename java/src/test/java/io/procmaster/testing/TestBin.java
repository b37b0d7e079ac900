package io.procmaster.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The programs the native build puts in {@code target/cmake/bin} for tests. */
public final class TestBin {
    private TestBin() {
    }

    public static String path(String name) {
        String dir = System.getProperty("procmaster.test.bin");
        if (dir == null) {
            throw new IllegalStateException("procmaster.test.bin is not set (run the tests through Maven)");
        }
        Path p = Path.of(dir, name);
        if (!Files.isExecutable(p)) {
            throw new IllegalStateException("test program missing: " + p);
        }
        return p.toString();
    }
}
