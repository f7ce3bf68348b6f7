package dev.migwatch;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

import java.util.Map;

/**
 * migwatch's logging when it runs on its own (MigwatchApplication): one line per event on the console, INFO, and the
 * chatty libraries at WARN. Set up in code rather than from a logback.xml: logback's XML configuration took 0.25 to
 * 0.4 s of every start (0.1 s of CPU), before anything else could run. Logback finds this class through
 * META-INF/services; in an application that embeds migwatch (no {@link #STANDALONE} property) it does nothing, and
 * {@code -Dlogback.configurationFile=your.xml} replaces it.
 */
public class StandaloneLogging extends ContextAwareBase implements Configurator {
    /** Set by MigwatchApplication when no logback configuration file is given (not a migwatch.* key: those are checked as configuration). */
    static final String STANDALONE = "dev.migwatch.standalone-logging";
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";
    static final Map<String, Level> LEVELS = Map.of("org.apache.camel", Level.INFO, "org.flywaydb", Level.WARN,
            "com.zaxxer.hikari", Level.WARN, "org.apache.hc", Level.WARN, "io.vertx", Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!Boolean.getBoolean(STANDALONE) || System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.NEUTRAL;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("CONSOLE");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
