package dev.migwatch.storage;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import dev.migwatch.history.BodyText;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A durable local spool of snapshots that could not be written to the history database yet.
 *
 * <p>One JSON file per snapshot, named {@code <20-digit sequence>-<cycleId>.json}, so that the lexical order of the
 * names is the order of arrival. Each entry is written to a hidden temp file, fsync'd, and then atomically renamed
 * into place (and the directory fsync'd), so a crash at any point leaves either a complete entry or none; leftover
 * temp files are deleted when the journal is opened. Entries that can never be written go to {@code rejected/}
 * beside a {@code .reason.txt}, where an operator can inspect them.
 *
 * <p>Entries are removed only after the caller has stored them, so a crash between the database commit and the
 * removal replays the entry; the caller must therefore be idempotent (HistoryStore is, by task and polled_at).
 */
public class SnapshotJournal {
    public static final String DEFAULT_DIR = "./data/journal";
    static final String REJECTED = "rejected";
    /** Bumped when the entry layout changes incompatibly; written into every entry. */
    static final int FORMAT = 1;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotJournal.class);
    private static final Pattern ENTRY = Pattern.compile("(\\d{20})-[A-Za-z0-9_.-]*\\.json");
    private static final String TEMP_SUFFIX = ".tmp";
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new SimpleModule("migwatch-instants")
                    .addSerializer(Instant.class, new InstantAsText())
                    .addDeserializer(Instant.class, new InstantFromText()))
            // an entry written by an older migwatch must stay readable after a field was dropped
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addMixIn(RawBody.class, RawBodyEntry.class)
            .build();

    /**
     * A raw body is written as its text under "body", as entries always had it: the bytes it now carries in memory
     * ({@link RawBody#content()}) stay out of the file, and an entry of an older migwatch reads back whole (an unknown
     * field would be dropped silently, and the body with it).
     */
    private abstract static class RawBodyEntry {
        @JsonCreator
        RawBodyEntry(@JsonProperty("api") String api, @JsonProperty("contentHash") String contentHash,
                     @JsonProperty("contentType") String contentType, @JsonProperty("body") String body) {
        }

        @JsonIgnore
        abstract BodyText content();

        @JsonProperty("body")
        abstract String body();
    }

    private final Path dir;
    private final Path rejectedDir;
    private final AtomicLong nextSequence;
    private final AtomicInteger pending;
    private final Object appendLock = new Object();
    private final Object drainLock = new Object();

    /** Opens (creating if needed) the journal in {@code dir}, deleting temp files a crash left behind. */
    public SnapshotJournal(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        this.rejectedDir = this.dir.resolve(REJECTED);
        try {
            Files.createDirectories(rejectedDir);
            int leftovers = deleteTempFiles();
            if (leftovers > 0) {
                LOG.info("Deleted {} incomplete journal temp file(s) in {} left by an interrupted run", leftovers, this.dir);
            }
            List<Path> entries = entries();
            pending = new AtomicInteger(entries.size());
            nextSequence = new AtomicLong(entries.isEmpty() ? 1 : sequenceOf(entries.get(entries.size() - 1)) + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the snapshot journal in " + this.dir + ": " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path rejectedDir() {
        return rejectedDir;
    }

    /** Number of entries waiting to be written. Kept in memory: this journal is the only one adding or removing. */
    public int pending() {
        return pending.get();
    }

    /** Durably adds a snapshot at the end of the journal; when this returns, the entry survives a crash. */
    public void append(TaskSnapshot snapshot) throws IOException {
        byte[] json = MAPPER.writeValueAsBytes(new Entry(FORMAT, snapshot));
        // one append at a time, so that sequence order and rename order agree (see completeEntries)
        synchronized (appendLock) {
            String name = String.format("%020d-%s.json", nextSequence.getAndIncrement(), safe(snapshot.cycleId()));
            writeDurably(dir.resolve(name), json);
            pending.incrementAndGet();
        }
    }

    /**
     * Hands the entries to {@code sink} oldest first. An entry is removed when the sink stored it and moved to
     * rejected/ when the sink rejects it; when the sink throws, draining stops and that entry and all later ones stay
     * for the next drain. Entries appended while draining are drained too. Only one drain runs at a time, and it
     * never blocks {@link #append}.
     */
    public DrainResult drain(Sink sink) {
        synchronized (drainLock) {
            int stored = 0;
            int rejected = 0;
            try {
                List<Path> batch;
                while (!(batch = completeEntries()).isEmpty()) {
                    for (Path entry : batch) {
                        TaskSnapshot snapshot;
                        try {
                            snapshot = read(entry);
                        } catch (IOException | RuntimeException e) {
                            reject(entry, "unreadable journal entry: " + firstLine(e));
                            rejected++;
                            continue;
                        }
                        Outcome outcome;
                        try {
                            outcome = sink.accept(snapshot);
                        } catch (Exception e) {
                            return new DrainResult(stored, rejected, pending(), e);
                        }
                        if (outcome.rejectReason() != null) {
                            reject(entry, outcome.rejectReason());
                            rejected++;
                        } else {
                            Files.deleteIfExists(entry);
                            pending.decrementAndGet();
                            stored++;
                        }
                    }
                }
            } catch (IOException e) {
                return new DrainResult(stored, rejected, pending(), e);
            }
            return new DrainResult(stored, rejected, pending(), null);
        }
    }

    /**
     * The entries whose rename finished before this call, oldest first. A directory listing made while files are
     * being added may show a newer entry but miss an older one; bounding by the sequence counter, read under the
     * append lock, leaves out every entry that could still be in flight, so the order is never broken.
     */
    private List<Path> completeEntries() throws IOException {
        long bound;
        synchronized (appendLock) {
            bound = nextSequence.get();
        }
        List<Path> all = entries();
        all.removeIf(p -> sequenceOf(p) >= bound);
        return all;
    }

    /** Keeps a snapshot that never entered the journal (it failed for good on its first write) in rejected/. */
    public void rejectNew(TaskSnapshot snapshot, String reason) throws IOException {
        String name = String.format("direct-%s-%s.json", Instant.now().toEpochMilli(), safe(snapshot.cycleId()));
        writeDurably(rejectedDir.resolve(name), MAPPER.writeValueAsBytes(new Entry(FORMAT, snapshot)));
        Files.writeString(rejectedDir.resolve(name + ".reason.txt"), reason + System.lineSeparator());
    }

    /** Reads one entry; public for tools and tests that inspect rejected entries. */
    public static TaskSnapshot read(Path entry) throws IOException {
        Entry e = MAPPER.readValue(entry.toFile(), Entry.class);
        if (e.format() != FORMAT || e.snapshot() == null) {
            throw new IOException("unsupported journal entry format " + e.format() + " in " + entry.getFileName());
        }
        return e.snapshot();
    }

    /** The waiting entries, oldest first. */
    List<Path> entries() throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : files) {
                if (ENTRY.matcher(p.getFileName().toString()).matches()) {
                    entries.add(p);
                }
            }
        }
        entries.sort(null); // fixed-width sequence first: lexical order is arrival order
        return entries;
    }

    private void reject(Path entry, String reason) throws IOException {
        Path target = rejectedDir.resolve(entry.getFileName());
        Files.move(entry, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(rejectedDir.resolve(entry.getFileName() + ".reason.txt"), reason + System.lineSeparator());
        pending.decrementAndGet();
        LOG.error("Journal entry {} can never be written to the history database and was moved to {}: {}. "
                + "It holds the whole snapshot as JSON, for diagnosis; polling goes on.", entry.getFileName(), rejectedDir, reason);
    }

    private int deleteTempFiles() throws IOException {
        int count = 0;
        for (Path d : List.of(dir, rejectedDir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(d, "*" + TEMP_SUFFIX)) {
                for (Path p : files) {
                    Files.deleteIfExists(p);
                    count++;
                }
            }
        }
        return count;
    }

    /** Temp file, fsync, atomic rename, fsync of the directory: the entry is complete and durable, or absent. */
    private static void writeDurably(Path target, byte[] content) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + TEMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(target.getParent());
    }

    /** Makes the rename itself durable. Possible on Linux and macOS; other systems refuse to open a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.trace("cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        return e.getClass().getSimpleName() + ": " + (m.contains("\n") ? m.substring(0, m.indexOf('\n')) : m);
    }

    private static long sequenceOf(Path entry) {
        Matcher m = ENTRY.matcher(entry.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a journal entry: " + entry);
        }
        return Long.parseLong(m.group(1));
    }

    /** Cycle ids are UUIDs; anything else is reduced to characters that are safe in a file name everywhere. */
    private static String safe(String cycleId) {
        String s = cycleId == null ? "" : cycleId.replaceAll("[^A-Za-z0-9_.-]", "_");
        return s.length() > 80 ? s.substring(0, 80) : s;
    }

    /** The JSON document of one entry: a format number, so that a future layout can still read old entries. */
    record Entry(int format, TaskSnapshot snapshot) {
    }

    /** Receives entries during {@link #drain}; throwing means "not now, try again later". */
    public interface Sink {
        Outcome accept(TaskSnapshot snapshot) throws Exception;
    }

    /** What became of one entry handed to a {@link Sink}: stored, or rejected for good with a reason. */
    public record Outcome(String rejectReason) {
        public static final Outcome STORED = new Outcome(null);

        public static Outcome rejected(String reason) {
            return new Outcome(reason == null ? "rejected" : reason);
        }
    }

    /**
     * @param stored    entries the sink took and that were removed
     * @param rejected  entries moved to rejected/
     * @param remaining entries still waiting
     * @param failure   why draining stopped early, or null when the journal is empty
     */
    public record DrainResult(int stored, int rejected, int remaining, Exception failure) {
    }

    /** Instants as ISO-8601 text (nanosecond precision kept), without needing jackson-datatype-jsr310. */
    private static final class InstantAsText extends StdScalarSerializer<Instant> {
        InstantAsText() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toString());
        }
    }

    private static final class InstantFromText extends StdScalarDeserializer<Instant> {
        InstantFromText() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            return text == null || text.isBlank() ? null : Instant.parse(text.trim());
        }
    }
}
