package io.procmaster.os.jni;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Opens {@code META-INF/native/<platform>/libprocmaster.so} from the classifier jar, wherever the
 * application put that jar: on the class path (or merged into a shaded jar), or on the module path.
 *
 * <p>Why the module path needs more than a class loader: the classifier jar is an automatic module
 * of its own ({@code io.procmaster.natives.linux.x86_64}, so that it never collides with the
 * library's name), and nothing requires it, so the JVM does not resolve it and no class loader
 * sees its resources. Rather than make every user add {@code --add-modules}, the module is read
 * where it is: in the boot layer if it was resolved, else found on {@code jdk.module.path} with a
 * {@link ModuleFinder} and opened with its {@link ModuleReader} (nothing is loaded or resolved).
 *
 * <p>Interface: {@link #open}. Failure modes: none thrown for a missing jar or a module path the
 * JDK cannot read (null, with every place tried added to the caller's list); an
 * {@link IOException} reading a jar that was found.
 */
final class NativeResource {
    private NativeResource() {
    }

    /** The module name of the classifier jar for a platform classifier ({@code linux-x86_64}). */
    static String moduleName(String platform) {
        return "io.procmaster.natives." + platform.replace('-', '.');
    }

    /** The resource as a stream, or null (with the reasons appended to {@code tried}). */
    static InputStream open(String resource, String platform, List<String> tried) throws IOException {
        ClassLoader cl = NativeLoader.class.getClassLoader();
        URL url = cl == null ? ClassLoader.getSystemResource(resource) : cl.getResource(resource);
        if (url != null) {
            URLConnection conn = url.openConnection();
            conn.setUseCaches(false); // a cached jar handle may be stale under several class loaders
            return conn.getInputStream();
        }
        tried.add("resource " + resource + ": not on the class path");

        String module = moduleName(platform);
        ModuleLayer layer = NativeLoader.class.getModule().getLayer();
        Optional<Module> resolved = (layer != null ? layer : ModuleLayer.boot()).findModule(module);
        if (resolved.isPresent()) {
            InputStream in = resolved.get().getResourceAsStream(resource);
            if (in != null) {
                return in;
            }
            tried.add("module " + module + ": resolved, but without " + resource);
        }

        String modulePath = System.getProperty("jdk.module.path", "");
        if (!modulePath.isEmpty()) {
            List<Path> paths = new ArrayList<>();
            for (String p : modulePath.split(File.pathSeparator)) {
                if (!p.isEmpty()) {
                    paths.add(Path.of(p));
                }
            }
            Optional<ModuleReference> ref;
            try {
                ref = ModuleFinder.of(paths.toArray(Path[]::new)).find(module);
            } catch (java.lang.module.FindException e) {
                // An unreadable or malformed entry on the module path: one more place that failed.
                tried.add("module path [" + modulePath + "]: " + e.getMessage());
                return null;
            }
            if (ref.isPresent()) {
                ModuleReader reader = ref.get().open();
                Optional<InputStream> in = reader.open(resource);
                if (in.isPresent()) {
                    return new ReaderClosingStream(in.get(), reader);
                }
                reader.close();
                tried.add("module " + module + " on the module path: without " + resource);
                return null;
            }
        }
        tried.add("module " + module + ": not on the module path [" + modulePath + "] (add the procmaster jar "
                + "with classifier " + platform + " to the class path or the module path)");
        return null;
    }

    /** Closes the module's reader with the stream. */
    private static final class ReaderClosingStream extends java.io.FilterInputStream {
        private final ModuleReader reader;

        ReaderClosingStream(InputStream in, ModuleReader reader) {
            super(in);
            this.reader = reader;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                reader.close();
            }
        }
    }
}
