package dev.migwatch.trends;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A side read is made exactly once, by a side thread or by the caller, and never waited for when nobody makes it. */
class SideReadTest {

    private final AtomicInteger reads = new AtomicInteger();
    /** An executor that keeps what it is given, to run (or not) when the test says. */
    private final List<Runnable> queued = new ArrayList<>();

    private String read() {
        return "read " + reads.incrementAndGet();
    }

    @Test
    void aReadNoThreadHasBegunIsMadeByTheCaller() {
        SideRead<String> side = SideRead.start(this::read, queued::add);
        assertEquals("read 1", side.join());
        // the executor gets to it late: it is not made again
        queued.forEach(Runnable::run);
        assertEquals(1, reads.get());
    }

    @Test
    void aReadASideThreadMadeIsNotMadeAgainByTheCaller() {
        SideRead<String> side = SideRead.start(this::read, Runnable::run);
        assertEquals("read 1", side.join());
        assertEquals(1, reads.get());
    }

    @Test
    void aReadTheExecutorRefusesIsMadeByTheCaller() {
        SideRead<String> side = SideRead.start(this::read, r -> {
            throw new java.util.concurrent.RejectedExecutionException("full");
        });
        assertEquals("read 1", side.join());
    }

    @Test
    void anAbandonedReadIsNotMade() {
        SideRead<String> side = SideRead.start(this::read, queued::add);
        side.close();
        queued.forEach(Runnable::run);
        assertEquals(0, reads.get());
    }

    @Test
    void aFailedReadThrowsItsOwnExceptionWhereTheCallerWaits() {
        IllegalStateException failure = new IllegalStateException("history query failed: gone");
        SideRead<String> side = SideRead.start(() -> {
            throw failure;
        }, Runnable::run);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, side::join);
        assertSame(failure, thrown);
        assertTrue(List.of(thrown.getSuppressed()).stream().anyMatch(s -> s.getMessage().startsWith("awaited by ")),
                "the caller's stack is kept with the side thread's exception");
    }
}
