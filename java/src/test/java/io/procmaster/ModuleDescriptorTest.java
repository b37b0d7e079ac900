package io.procmaster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The compiled {@code module-info} says what docs/DESIGN.md §2 says: the module is
 * {@code io.procmaster}, it exports exactly the API packages (the mechanism, the policy, the helper
 * pool's engine and the JNI boundary stay inside), and it requires slf4j and JDK modules only, so
 * that a consumer gets no other dependency through it.
 *
 * <p>The tests run on the class path, so the descriptor is read from the build output, not from
 * the running module.
 */
class ModuleDescriptorTest {

    private static ModuleDescriptor descriptor() throws IOException {
        Path classes = Path.of(Master.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void exportsTheApiPackagesOnly() throws IOException {
        ModuleDescriptor d = descriptor();
        assertThat(d.name()).isEqualTo("io.procmaster");
        assertThat(d.exports()).allSatisfy(e -> assertThat(e.isQualified()).as(e.source()).isFalse());
        assertThat(d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("io.procmaster", "io.procmaster.config", "io.procmaster.status",
                        "io.procmaster.helper", "io.procmaster.os", "io.procmaster.child", "io.procmaster.time",
                        "io.procmaster.metrics", "io.procmaster.helper.squid");
        // The internal packages exist (so the exact set above leaves them out for a reason, not by accident).
        Path classes = Path.of(Master.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        assertThat(Set.of("loop", "policy", "os/jni", "helper/pool", "helper/wire", "helper/process", "metrics/registry"))
                .allSatisfy(p -> assertThat(classes.resolve("io/procmaster/" + p)).isDirectory());
    }

    @Test
    void requiresJavaManagementTransitivelyForTheObjectNamesOfTheApi() throws IOException {
        // Master.metrics().objectName() and HelperPool.objectName() return javax.management.ObjectName.
        assertThat(descriptor().requires()).anySatisfy(r -> {
            assertThat(r.name()).isEqualTo("java.management");
            assertThat(r.modifiers()).contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE);
        });
    }

    @Test
    void requiresSlf4jAndTheJdkOnly() throws IOException {
        Set<String> required = descriptor().requires().stream().map(ModuleDescriptor.Requires::name)
                .filter(n -> !n.startsWith("java.") && !n.startsWith("jdk."))
                .collect(Collectors.toSet());
        assertThat(required).containsExactly("org.slf4j");
    }
}
