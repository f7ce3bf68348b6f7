package dev.migwatch.storage;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.observe.MigwatchMetrics;
import dev.migwatch.poll.PollCycles;
import dev.migwatch.poll.ProviderCalls;
import dev.migwatch.poll.RetryPolicy;
import dev.migwatch.poll.SourceGuard;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The history database (an H2 TCP server) goes away for several poll cycles and comes back; the snapshots go
 * through the real migwatch-store and migwatch-journal-replay routes. Afterwards every cycle is stored exactly
 * once, in order, and a bad snapshot is set aside without blocking the others.
 */
class DatabaseOutageTest {
    private static final String TASK = "np_outage";

    @TempDir
    Path tmp;
    private int port;
    private Server server;
    private HikariDataSource dataSource;
    private CamelContext camel;
    private SnapshotSpool spool;
    private final ListAppender<ILoggingEvent> spoolLog = new ListAppender<>();

    @BeforeEach
    void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        startServer();
        // WRITE_DELAY=0: the outage is an H2 server stopped and started again inside this JVM; with H2's background
        // writer (WRITE_DELAY > 0) the stopped database stays registered as closed in this JVM, and the restarted
        // server answers "Database is already closed" (a real server restart is a new process and has no such state)
        dataSource = HistoryDatabase.open("jdbc:h2:tcp://localhost:" + port + "/./history;WRITE_DELAY=0", "sa", "",
                Duration.ofMillis(500));
        HistoryDatabase.migrate(dataSource);

        HistoryStore store = new HistoryStore(dataSource);
        spool = new SnapshotSpool(new SnapshotJournal(tmp.resolve("journal")), store, Clock.systemUTC());
        spoolLog.start();
        ((Logger) LoggerFactory.getLogger(SnapshotSpool.class)).addAppender(spoolLog);

        camel = new DefaultCamelContext();
        Properties props = new Properties();
        props.setProperty("migwatch.journal.replay-interval", "200");
        camel.getPropertiesComponent().setInitialProperties(props);
        camel.getRegistry().bind("historyStore", store);
        camel.getRegistry().bind("snapshotSpool", spool);
        // the polling routes in the same file need their beans; no source is configured, so nothing polls
        PollCycles cycles = new PollCycles(List.of(), List.of(), new SourceGuard(SourceGuard.Settings.defaults(), Clock.systemUTC()),
                Clock.systemUTC());
        camel.getRegistry().bind("pollCycles", cycles);
        camel.getRegistry().bind("pollClaims", dev.migwatch.cluster.PollClaims.single());
        camel.getRegistry().bind("providerCalls", new ProviderCalls(cycles, RetryPolicy.defaults(), Clock.systemUTC()));
        camel.getRegistry().bind("rateLimits", new dev.migwatch.poll.RateLimits(List.of()));
        camel.getRegistry().bind("migwatchMetrics", new MigwatchMetrics(List.of(), new SourceGuard(SourceGuard.Settings.defaults(),
                Clock.systemUTC()), spool.journal()::pending, watched -> java.util.Map.of(), Clock.systemUTC()));
        // loaded in one go, as camel-main does with routes/*.camel.yaml: the route configurations of every file are
        // added before any route, so migwatch-store finds migwatch-store-errors although it lives in the other file
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                ResourceHelper.resolveMandatoryResource(camel, "file:routes/migwatch-polling.camel.yaml"),
                ResourceHelper.resolveMandatoryResource(camel, "file:routes/migwatch-journal.camel.yaml"));
        camel.start();
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(SnapshotSpool.class)).detachAppender(spoolLog);
        if (camel != null) {
            camel.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void snapshotsFetchedDuringAnOutageAreWrittenInOrderExactlyOnceWhenTheDatabaseIsBack() throws Exception {
        ProducerTemplate poll = camel.createProducerTemplate();
        List<Integer> expected = new ArrayList<>();
        // cycles 0-4: the database is up, every snapshot is written at once
        for (int n = 0; n < 5; n++) {
            poll.sendBody("direct:migwatch-store", snapshot(n));
            expected.add(n);
        }
        assertEquals(0, spool.journal().pending());
        assertEquals(expected, storedCycles());

        // cycles 5-12: the database is down; cycle 9 is a snapshot the database would refuse anyway
        server.stop();
        NotifyBuilder replayTriedDuringOutage = new NotifyBuilder(camel).fromRoute("migwatch-journal-replay")
                .whenCompleted(3).create();
        for (int n = 5; n < 13; n++) {
            poll.sendBody("direct:migwatch-store", n == 9 ? Snapshots.bad(TASK, n) : snapshot(n));
            if (n != 9) {
                expected.add(n);
            }
        }
        assertEquals(8, spool.journal().pending(), "all snapshots of the outage are in the journal");
        assertTrue(replayTriedDuringOutage.matches(10, TimeUnit.SECONDS), "replay retried while the database was away");
        assertEquals(8, spool.journal().pending(), "nothing is lost or skipped while the database is away");

        // the database is back: the backlog is replayed; cycles 13-15 queue behind it or go straight in
        startServer();
        for (int n = 13; n < 16; n++) {
            poll.sendBody("direct:migwatch-store", snapshot(n));
            expected.add(n);
        }
        await(() -> spool.journal().pending() == 0, "the journal is drained");
        await(() -> storedCycles().size() == expected.size(), "every cycle is stored");

        assertEquals(expected, storedCycles(), "no gap, no duplicate, in order of polled_at");
        assertEquals(expected, cyclesInInsertOrder(), "written in the order the cycles were polled");
        for (int n : expected) {
            assertFullCycle(n);
        }
        assertEquals(0, StoredCycles.polls(dataSource, Snapshots.bad(TASK, 9)), "nothing of the bad snapshot is stored");
        StoredCycles.assertNoStrayRows(dataSource, TASK, this::snapshot);
        try (Stream<Path> rejected = Files.list(spool.journal().rejectedDir())) {
            assertTrue(rejected.anyMatch(p -> p.getFileName().toString().endsWith(Snapshots.cycleId(TASK, 9) + ".json")),
                    "the bad snapshot is kept in rejected/");
        }
        assertEquals(1, logLines(Level.WARN, "History database unavailable"), "one WARN per outage: " + spoolLog.list);
        assertEquals(1, logLines(Level.INFO, "History database is back"), "one INFO when drained: " + spoolLog.list);

        // the same cycles again (a replay after a crash between commit and journal removal): nothing changes
        for (int n : expected) {
            assertEquals(false, new HistoryStore(dataSource).write(snapshot(n)));
        }
        assertEquals(expected, storedCycles());
    }

    @Test
    void aBadSnapshotIsSetAsideAndTheNextOneIsWritten() throws Exception {
        ProducerTemplate poll = camel.createProducerTemplate();
        poll.sendBody("direct:migwatch-store", Snapshots.bad(TASK, 0));
        poll.sendBody("direct:migwatch-store", snapshot(1));
        assertEquals(List.of(1), storedCycles());
        assertEquals(0, spool.journal().pending(), "a bad snapshot does not start a backlog");
        try (Stream<Path> rejected = Files.list(spool.journal().rejectedDir())) {
            assertEquals(2, rejected.count(), "the snapshot and its reason");
        }
        assertEquals(1, logLines(Level.ERROR, Snapshots.cycleId(TASK, 0)));
        assertEquals(0, logLines(Level.WARN, ""));
    }

    private TaskSnapshot snapshot(int n) {
        // every third cycle failed at the provider: those carry only their calls
        return n % 3 == 2 ? Snapshots.failed(TASK, n) : Snapshots.full(TASK, n);
    }

    private void assertFullCycle(int n) throws SQLException {
        StoredCycles.assertComplete(dataSource, snapshot(n), n);
    }

    /** The cycle numbers of the poll rows, ordered by poll time; a duplicate would show twice. */
    private List<Integer> storedCycles() {
        try {
            return StoredCycles.byPollTime(dataSource, TASK);
        } catch (SQLException e) {
            return List.of(-1);
        }
    }

    /** The poll rows in insertion order (StoredCycles.inInsertOrder). */
    private List<Integer> cyclesInInsertOrder() {
        try {
            return StoredCycles.inInsertOrder(dataSource, TASK);
        } catch (SQLException e) {
            return List.of(-1);
        }
    }

    private long logLines(Level level, String text) {
        return spoolLog.list.stream().filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(text)).count();
    }

    private void startServer() throws SQLException {
        server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-baseDir", tmp.resolve("db").toString(),
                "-ifNotExists").start();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
