package io.procmaster.os.jni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader picks the platform by {@code os.arch} (README, "Maven coordinates": one classifier jar
 * per platform) and, on a machine no jar fits, says which platforms there are.
 *
 * <p>In-process for the classification; in a JVM of its own ({@link LoaderProbeMain}, with
 * {@code -Dos.arch} set) for the loader's whole path, since this JVM has loaded the library already.
 */
class NativeLoaderTest {

    @Test
    void osArchNamesThePlatform() {
        assertThat(Platform.classifier("Linux", "amd64")).isEqualTo("linux-x86_64");
        assertThat(Platform.classifier("Linux", "x86_64")).isEqualTo("linux-x86_64");
        assertThat(Platform.classifier("Linux", "aarch64")).isEqualTo("linux-aarch64");
        assertThat(Platform.classifier("Linux", "arm64")).isEqualTo("linux-aarch64");
        assertThat(Platform.classifier("Linux", "riscv64")).isEqualTo("linux-riscv64");
        assertThat(Platform.classifier("Mac OS X", "aarch64")).isEqualTo("mac_os_x-aarch64");
        assertThat(Platform.supported("linux-x86_64")).isTrue();
        assertThat(Platform.supported("linux-aarch64")).isTrue();
        assertThat(Platform.supported("linux-riscv64")).isFalse();
        assertThat(Platform.supported("mac_os_x-aarch64")).isFalse();
    }

    @Test
    void theErrorOnAnotherPlatformNamesItAndBothSupportedOnes() {
        UnsatisfiedLinkError e = NativeLoader.unsupportedPlatform("Linux", "riscv64");
        assertThat(e.getMessage())
                .contains("platform linux-riscv64 (os.name=Linux, os.arch=riscv64) is not supported")
                .contains("linux-x86_64 and linux-aarch64");
    }

    @Test
    void theLoaderRefusesAnotherArchitectureNamingBothPlatforms(@TempDir Path dir) throws Exception {
        String out = probe(dir, "riscv64", List.of(classesDir()));
        assertThat(out).startsWith("unavailable: ")
                .contains("os.arch=riscv64")
                .contains("linux-x86_64 and linux-aarch64");
    }

    @Test
    void onAarch64TheLoaderLooksForTheAarch64Library(@TempDir Path dir) throws Exception {
        assumeNotAarch64();
        // Only the x86_64 library on the class path: the aarch64 one is asked for, by its name and classifier.
        String out = probe(dir, "aarch64", List.of(classesDir()));
        assertThat(out).startsWith("unavailable: ")
                .contains("platform linux-aarch64")
                .contains("META-INF/native/linux-aarch64/libprocmaster.so")
                .contains("classifier linux-aarch64")
                .doesNotContain("linux-x86_64/libprocmaster.so");
    }

    @Test
    void onAarch64TheLoaderExtractsTheCrossBuiltLibrary(@TempDir Path dir) throws Exception {
        assumeNotAarch64();
        // The cross build's jar content (java/pom.xml, profile cross-linux-aarch64), if it was built.
        Path aarch64 = Path.of(classesDir()).resolveSibling("native-linux-aarch64");
        assumeTrue(Files.isRegularFile(aarch64.resolve("META-INF/native/linux-aarch64/libprocmaster.so")),
                "no cross-built linux-aarch64 library (aarch64-linux-gnu-gcc absent at build time): " + aarch64);
        String out = probe(dir, "aarch64", List.of(classesDir(), aarch64.toString()));
        // Found, extracted and handed to the JVM, which cannot map an aarch64 library on this machine.
        assertThat(out).startsWith("unavailable: ")
                .contains("resource META-INF/native/linux-aarch64/libprocmaster.so extracted to ")
                .doesNotContain("not on the class path");
    }

    private static void assumeNotAarch64() {
        assumeTrue(!Platform.classifier().equals("linux-aarch64"), "this machine is linux-aarch64 itself");
    }

    private static String classesDir() throws Exception {
        return Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Runs {@link LoaderProbeMain} with {@code -Dos.arch=arch} and the class path given (plus slf4j). */
    private static String probe(Path dir, String arch, List<String> classPath) throws Exception {
        List<String> cp = new ArrayList<>(classPath);
        cp.add(Path.of(LoaderProbeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        cp.add(Path.of(org.slf4j.LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString());
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dos.arch=" + arch, "-Dprocmaster.native.workdir=" + dir, "-Djava.library.path=" + dir,
                "-cp", String.join(File.pathSeparator, cp), LoaderProbeMain.class.getName())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the probe JVM did not end within 60 s; stderr:\n" + Files.readString(err));
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("probe exit status; stdout:\n%s\nstderr:\n%s", stdout,
                Files.readString(err, StandardCharsets.UTF_8)).isZero();
        return stdout;
    }
}
