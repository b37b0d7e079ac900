package io.procmaster.os.jni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tells whether a directory lies on a mount with {@code noexec}, from {@code /proc/self/mountinfo}:
 * the one reason an extracted library cannot be loaded that a user can fix with a property.
 */
final class NoexecMount {
    private NoexecMount() {
    }

    static boolean isNoexec(Path dir) {
        try {
            return isNoexec(dir.toRealPath().toString(), Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The same, over given mountinfo lines: the longest mount point covering {@code target} decides. */
    static boolean isNoexec(String target, List<String> lines) {
        String best = null;
        boolean noexec = false;
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 6) {
                continue;
            }
            String mountPoint = f[4].replace("\\040", " ");
            boolean covers = target.equals(mountPoint) || mountPoint.equals("/")
                    || target.startsWith(mountPoint.endsWith("/") ? mountPoint : mountPoint + "/");
            if (covers && (best == null || mountPoint.length() >= best.length())) {
                best = mountPoint;
                noexec = ("," + f[5] + ",").contains(",noexec,");
            }
        }
        return noexec;
    }
}
