package dev.migwatch.packaging;

import org.apache.camel.main.Main;

/**
 * An existing camel-main application that knows nothing of migwatch except the README's lines in its
 * application.properties (in its working directory). EmbeddedThinJarIT runs it in its own JVM with
 * target/migwatch-core.jar and the runtime dependencies as the classpath.
 */
public final class HostApplication {
    private HostApplication() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation("file:application.properties");
        System.exit(main.run(args));
    }
}
