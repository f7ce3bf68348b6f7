package dev.migwatch;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** migwatch's console logging when it runs on its own, and none of it in an application that embeds it. */
class StandaloneLoggingTest {
    @AfterEach
    void clear() {
        System.clearProperty(StandaloneLogging.STANDALONE);
    }

    @Test
    void standaloneItLogsToTheConsoleAtInfoWithTheLibrariesAtWarn() {
        System.setProperty(StandaloneLogging.STANDALONE, "true");
        LoggerContext context = configured();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.INFO, root.getLevel());
        ConsoleAppender<?> console = (ConsoleAppender<?>) root.getAppender("CONSOLE");
        assertTrue(console.isStarted());
        assertEquals(StandaloneLogging.PATTERN, ((PatternLayoutEncoder) console.getEncoder()).getPattern());
        assertEquals(Level.WARN, context.getLogger("org.flywaydb.core.internal.command").getEffectiveLevel());
        assertEquals(Level.INFO, context.getLogger("dev.migwatch.poll").getEffectiveLevel());
    }

    @Test
    void embeddedItLeavesTheHostsLoggingAlone() {
        LoggerContext context = new LoggerContext();
        StandaloneLogging configurator = new StandaloneLogging();
        configurator.setContext(context);
        assertEquals(ExecutionStatus.NEUTRAL, configurator.configure(context));
        assertNull(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE"));
    }

    /** Configured as logback does it: the configurator it finds through META-INF/services. */
    private static LoggerContext configured() {
        LoggerContext context = new LoggerContext();
        StandaloneLogging configurator = ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream()
                .map(ServiceLoader.Provider::get).filter(StandaloneLogging.class::isInstance).map(StandaloneLogging.class::cast)
                .findFirst().orElseThrow();
        configurator.setContext(context);
        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, configurator.configure(context));
        return context;
    }
}
