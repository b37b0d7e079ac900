package io.procmaster.os.jni;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads {@code libprocmaster.so}, once.
 *
 * <p>Order: the file named by {@code -Dprocmaster.native.path} (and nothing else when it is
 * set: an explicit choice must not be silently replaced); then a {@code libprocmaster.so} in a
 * directory of {@code java.library.path}; then the resource
 * {@code META-INF/native/<platform>/libprocmaster.so} from the classifier jar (on the class path,
 * merged into a shaded jar, or on the module path: {@link NativeResource}), copied to a
 * private temporary file (owner-only) in {@code -Dprocmaster.native.workdir} (default
 * {@code java.io.tmpdir}), loaded, and deleted at once: the mapping stays valid and nothing is
 * left behind by a killed JVM.
 *
 * <p>The platform is {@link Platform#classifier()}, from {@code os.arch}: {@code linux-x86_64} or
 * {@code linux-aarch64}, each with a classifier jar of its own.
 *
 * <p>Failure modes: an {@link UnsatisfiedLinkError} naming the platform, every place tried and
 * why each failed; on any other platform, before anything is tried, one naming the machine's
 * {@code os.name}/{@code os.arch} and both supported platforms ({@link #unsupportedPlatform});
 * when the extracted copy cannot be mapped executable, whether the work directory is on a
 * {@code noexec} mount and which property moves it.
 */
final class NativeLoader {
    static final String PATH_PROPERTY = "procmaster.native.path";
    static final String WORKDIR_PROPERTY = "procmaster.native.workdir";
    private static final String LIB = "libprocmaster.so";
    private static boolean loaded;

    private NativeLoader() {
    }

    static synchronized void load() {
        if (loaded) {
            return;
        }
        String platform = Platform.classifier();
        List<String> tried = new ArrayList<>();
        String explicit = System.getProperty(PATH_PROPERTY);
        if (explicit != null && !explicit.isEmpty()) {
            try {
                System.load(Paths.get(explicit).toAbsolutePath().toString());
                loaded = true;
                return;
            } catch (UnsatisfiedLinkError e) {
                throw failure(platform, List.of("-D" + PATH_PROPERTY + "=" + explicit + ": " + e.getMessage()), e);
            }
        }
        if (!Platform.supported(platform)) {
            throw unsupportedPlatform(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
        }
        String libraryPath = System.getProperty("java.library.path", "");
        for (String dir : libraryPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Paths.get(dir, LIB);
            if (Files.isRegularFile(candidate)) {
                try {
                    System.load(candidate.toAbsolutePath().toString());
                    loaded = true;
                    return;
                } catch (UnsatisfiedLinkError e) {
                    tried.add(candidate + ": " + e.getMessage());
                }
            }
        }
        tried.add("java.library.path [" + libraryPath + "]: no usable " + LIB);

        String resource = "META-INF/native/" + platform + "/" + LIB;
        Path workdir = Paths.get(System.getProperty(WORKDIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        Path copy = null;
        try (InputStream in = NativeResource.open(resource, platform, tried)) {
            if (in == null) {
                throw failure(platform, tried, null);
            }
            copy = Files.createTempFile(workdir, "libprocmaster-", ".so",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            System.load(copy.toString());
            loaded = true;
        } catch (IOException | UnsatisfiedLinkError e) {
            if (copy == null && e instanceof UnsatisfiedLinkError notFound) {
                throw notFound; // no jar anywhere: the places tried are already in the message
            }
            String why = "resource " + resource + " extracted to " + (copy != null ? copy : workdir) + ": " + e.getMessage();
            if (NoexecMount.isNoexec(workdir)) {
                why += "; " + workdir + " is on a noexec mount: set -D" + WORKDIR_PROPERTY
                        + " to a directory where code may be mapped executable";
            }
            tried.add(why);
            throw failure(platform, tried, e);
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException ignored) {
                    // Best effort: the file is private and in a temporary directory.
                }
            }
        }
    }

    /** The error of a machine whose platform has no native jar: it names the platforms that have one. */
    static UnsatisfiedLinkError unsupportedPlatform(String osName, String osArch) {
        return failure(Platform.classifier(osName, osArch), List.of(Platform.unsupported(osName, osArch)), null);
    }

    private static UnsatisfiedLinkError failure(String platform, List<String> tried, Throwable cause) {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("procmaster: cannot load the native library for platform "
                + platform + "; tried: " + String.join("; ", tried));
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
