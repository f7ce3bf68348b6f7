package dev.migwatch;

import dev.migwatch.source.ConfigException;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs migwatch standalone with camel-main: {@code java -jar migwatch.jar} polls the sources in
 * application.properties; {@code --demo} polls the built-in simulator instead, with no configuration.
 */
public final class MigwatchApplication {
    static {
        // migwatch's own logging (StandaloneLogging) when run on its own, never in an application that embeds it
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty(StandaloneLogging.STANDALONE, "true");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(MigwatchApplication.class);

    /**
     * The route files inside the jar, named one by one (PackagedRoutesTest checks the list against routes/). A wildcard
     * ({@code classpath:migwatch/routes/*.camel.yaml}) makes Camel inflate every entry of the 45 MB jar to find them,
     * twice (modeline, then routes): 2 s of CPU, a third of the start.
     */
    static final String PACKAGED_ROUTES = Stream.of("migwatch-alerts", "migwatch-cluster", "migwatch-journal",
                    "migwatch-maintenance", "migwatch-observe", "migwatch-polling", "migwatch-rest")
            .map(name -> "classpath:migwatch/routes/" + name + ".camel.yaml")
            .collect(Collectors.joining(","));

    private MigwatchApplication() {
    }

    public static void main(String[] args) throws Exception {
        loadTrustedCertificatesAhead();
        boolean demo = Arrays.asList(args).contains("--demo");
        String[] camelArgs = Arrays.stream(args).filter(a -> !a.equals("--demo")).toArray(String[]::new);
        // no classpath scanning: the configuration below is the one place that says what runs
        Main main = new Main();
        // application.properties in the working directory wins over the defaults inside the jar (the first location that has a key wins)
        main.setDefaultPropertyPlaceholderLocation("file:application.properties;optional=true,classpath:migwatch/application.properties");
        // the routes/ folder next to the user's application.properties wins over the copy inside the jar
        main.addInitialProperty("camel.main.routes-include-pattern",
                Files.isDirectory(Path.of("routes")) ? "file:routes/*.camel.yaml" : PACKAGED_ROUTES);
        main.configure().addConfiguration(new MigwatchConfiguration());
        main.addMainListener(new HttpPortCheck());
        main.addMainListener(new ClassArchiveMark());
        AutoCloseable demoMode = demo ? startDemo(main) : null;
        try {
            int code = main.run(camelArgs);
            System.exit(code);
        } catch (Exception e) {
            ConfigException config = configProblem(e);
            if (config == null) {
                throw e;
            }
            LOG.error("migwatch cannot start.\n{}", config.getMessage());
            System.exit(2);
        } finally {
            if (demoMode != null) {
                demoMode.close();
            }
        }
    }

    /**
     * The first poll opens Camel's HTTP client, whose TLS setup parses the JDK's trusted certificates (about 150, 0.2 s
     * of a cold JVM). Done here, beside Camel's own start, the first poll finds them parsed: the JDK keeps them for every
     * later TLS context. A failure is left for the first poll to report.
     */
    private static void loadTrustedCertificatesAhead() {
        Thread loading = new Thread(() -> {
            try {
                SSLContext.getInstance("TLS").init(null, null, null);
            } catch (GeneralSecurityException e) {
                LOG.debug("TLS not set up ahead: {}", e.toString());
            }
        }, "migwatch-tls-ahead");
        loading.setDaemon(true);
        loading.start();
    }

    /**
     * The simulator and its demo sources (dev.migwatch.simulator.DemoMode) are in target/migwatch.jar but not in
     * migwatch-core.jar, the jar for embedding, which carries no test double: looked up by name, not linked.
     */
    private static AutoCloseable startDemo(Main main) throws Exception {
        Class<?> demo;
        try {
            demo = Class.forName("dev.migwatch.simulator.DemoMode");
        } catch (ClassNotFoundException e) {
            LOG.error("migwatch cannot start: --demo needs the built-in simulator, which is in target/migwatch.jar "
                    + "(java -jar target/migwatch.jar --demo, or bin/migwatch --demo) but not in migwatch-core.jar.");
            System.exit(2);
            throw e;
        }
        try {
            return (AutoCloseable) demo.getMethod("start", Main.class).invoke(null, main);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** camel-main wraps what a configuration class throws; dig out our own message for the user. */
    static ConfigException configProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException c) {
                return c;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
