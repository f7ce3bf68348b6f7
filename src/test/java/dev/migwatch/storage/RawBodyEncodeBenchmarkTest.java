package dev.migwatch.storage;

import dev.migwatch.history.RawBody;
import dev.migwatch.simulator.OmsAnswers;
import dev.migwatch.simulator.OmsScenario;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * What encoding a poll's raw answers costs on the polling path (HistoryStore.writeRaw): RawBodyCodec.encode of the
 * three OMS answers of a poll as a delta against the task's keyframe, now and as it was before it worked on UTF-8
 * bytes ({@link RawBodyEncoderBefore}), turn by turn in one JVM so that both see the same load; every record of
 * both is compared byte for byte. The answers are the simulator's, for -Dbench.tasks projects (default 20) polled
 * every 20 simulated seconds, a keyframe and {@value RawBodyCodec#MAX_DELTAS} deltas each, as the writer does: once
 * with keyframes spread over all phases (pre-check to incremental sync, so some answers change structure and are
 * deflated), once all in full transfer (every answer a token patch). Prints figures; run with
 * {@code mvn -B -Pbenchmark test -Dtest=RawBodyEncodeBenchmarkTest} (add
 * -DargLine="-XX:+UseSerialGC -XX:TieredStopAtLevel=1" for the compiler of bin/migwatch; its 96 MB heap
 * is too small for the answers this keeps).
 */
@Tag("benchmark")
class RawBodyEncodeBenchmarkTest {
    private static final int TASKS = Integer.getInteger("bench.tasks", 20);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 10);
    private static final int INTERVAL = 20;
    private static final Instant EPOCH = Instant.parse("2026-06-01T00:00:00Z");

    /** Keyframes all through the first 3 simulated hours: every phase, and answers whose structure changes (deflated). */
    @Test
    void throughAllPhases() {
        measure("all phases", 60, 10_800, OmsScenario.values());
    }

    /** Projects in full transfer for the whole run (as HistoryGrowthBenchmarkTest): every answer a token patch. */
    @Test
    void inFullTransfer() {
        measure("full transfer", 800, 0, OmsScenario.SLOW_FLAKY);
    }

    private static void measure(String name, double first, double spread, OmsScenario... scenarios) {
        Map<String, OmsScenario> projects = new LinkedHashMap<>();
        for (int t = 0; t < TASKS; t++) {
            projects.put(String.format("np_load%04d", t + 1), scenarios[t % scenarios.length]);
        }
        OmsAnswers answers = new OmsAnswers(projects, EPOCH);
        List<Run> runs = new ArrayList<>();
        int t = 0;
        for (String project : projects.keySet()) {
            double start = first + spread * t++ / TASKS;
            List<List<RawBody>> polls = new ArrayList<>();
            for (int p = 0; p <= RawBodyCodec.MAX_DELTAS; p++) {
                List<RawBody> bodies = new ArrayList<>();
                answers.at(project, start + p * INTERVAL).forEach((api, body) -> bodies.add(new RawBody(api, null, "application/json", body)));
                polls.add(bodies);
            }
            runs.add(new Run(polls));
        }
        long deltas = (long) TASKS * RawBodyCodec.MAX_DELTAS;
        long[] before = new long[ROUNDS];
        long[] now = new long[ROUNDS];
        long[] keyframes = new long[ROUNDS];
        long bytesBefore = 0;
        long bytesNow = 0;
        long deflated = 0;
        // round 0 is the warm-up (and the byte-for-byte check); the turns alternate so that a busy moment hits both
        for (int round = 0; round <= ROUNDS; round++) {
            long b = 0;
            long n = 0;
            long k = 0;
            for (Run run : runs) {
                long s0 = cpu();
                RawBodyCodec.Keyframe keyframe = RawBodyCodec.keyframe(EPOCH, run.polls.get(0), 0);
                long s1 = cpu();
                k += s1 - s0;
                boolean beforeFirst = round % 2 == 0;
                for (int turn = 0; turn < 2; turn++) {
                    boolean old = beforeFirst == (turn == 0);
                    long start = cpu();
                    for (int p = 1; p < run.polls.size(); p++) {
                        run.records[old ? 0 : 1][p] = old ? RawBodyEncoderBefore.encode(run.polls.get(p), keyframe)
                                : RawBodyCodec.encode(run.polls.get(p), keyframe);
                    }
                    long took = cpu() - start;
                    if (old) {
                        b += took;
                    } else {
                        n += took;
                    }
                }
                if (round == 0) {
                    for (int p = 1; p < run.polls.size(); p++) {
                        assertArrayEquals(run.records[0][p], run.records[1][p], "record of poll " + p);
                        bytesBefore += run.records[0][p].length;
                        bytesNow += run.records[1][p].length;
                        for (RawBody body : run.polls.get(p)) {
                            deflated += TokenPatch.diff(keyframe.bodies().get(body.api()), body.body().getBytes(StandardCharsets.UTF_8)) == null ? 1 : 0;
                        }
                    }
                }
            }
            if (round > 0) {
                before[round - 1] = b;
                now[round - 1] = n;
                keyframes[round - 1] = k;
            }
        }
        Arrays.sort(before);
        Arrays.sort(now);
        Arrays.sort(keyframes);
        double usBefore = before[ROUNDS / 2] / 1e3 / deltas;
        double usNow = now[ROUNDS / 2] / 1e3 / deltas;
        long samples = 0;
        long bodyBytes = 0;
        long keptBytes = 0;
        for (Run run : runs) {
            for (TokenPatch.Base body : RawBodyCodec.keyframe(EPOCH, run.polls.get(0), 0).bodies().values()) {
                samples += body.samples();
                bodyBytes += body.utf8().length;
                keptBytes += body.keptBytes();
            }
        }
        int bodies = runs.get(0).polls.get(0).size();
        // per body: the Base object (12-byte header, two references and two ints with compressed oops) and its int[] of samples
        double indexBytes = ((double) TASKS * bodies * (24 + 16) + samples * 4) / TASKS;
        System.out.printf("%s: RawBodyCodec.encode of a poll's %d OMS answers as a delta against its keyframe (%d tasks x %d deltas, "
                        + "%.0f %% of the answers of another structure than the keyframe's, deflated; median of %d rounds, CPU time): before %.1f us, now %.1f us (%.1fx); range before %.1f-%.1f, now %.1f-%.1f us. "
                        + "Records: %.1f bytes a poll before, %.1f now (%s). Keyframe in memory: %.0f bytes of answers a task, kept deflated in %.0f, "
                        + "plus %.0f bytes of token samples a task (every %d tokens); building it: %.1f us a task "
                        + "(%s, %d cores, Java %s, %s, load %s)%n",
                name, bodies, TASKS, RawBodyCodec.MAX_DELTAS, 100.0 * deflated / deltas / bodies, ROUNDS, usBefore, usNow, usBefore / usNow, before[0] / 1e3 / deltas,
                before[ROUNDS - 1] / 1e3 / deltas, now[0] / 1e3 / deltas, now[ROUNDS - 1] / 1e3 / deltas,
                bytesBefore / (double) deltas, bytesNow / (double) deltas, bytesBefore == bytesNow ? "byte for byte the same" : "DIFFERENT",
                bodyBytes / (double) TASKS, keptBytes / (double) TASKS, indexBytes, TokenPatch.Base.SAMPLE, keyframes[ROUNDS / 2] / 1e3 / TASKS,
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(),
                String.format("%.1f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    }

    /** This thread's CPU time: on a shared machine, what the encoding costs rather than how long it waited for a core. */
    private static long cpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /** One task's polls (the first one the keyframe) and the records of both encoders. */
    private static final class Run {
        final List<List<RawBody>> polls;
        final byte[][][] records;

        Run(List<List<RawBody>> polls) {
            this.polls = polls;
            this.records = new byte[2][polls.size()][];
        }
    }
}
