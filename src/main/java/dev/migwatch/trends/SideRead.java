package dev.migwatch.trends;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A read handed to another thread while the caller reads something else, which the caller takes back and reads itself
 * if no thread has begun it by the time the caller needs it. An executor may refuse the read (its queue full), run it
 * late (behind other lists' reads) or never (a pool shut down drops what it has queued, and a "caller runs" policy drops
 * what it refuses once shut down): in none of these cases does the caller wait for a read nobody makes. Opened with
 * try-with-resources, a read the caller no longer needs (it failed before joining) is not made.
 */
final class SideRead<T> implements Runnable, AutoCloseable {

    private final Supplier<T> read;
    /** Set by whoever makes the read: a side thread, or the caller taking it back. */
    private final AtomicBoolean begun = new AtomicBoolean();
    private final CompletableFuture<T> result = new CompletableFuture<>();

    private SideRead(Supplier<T> read) {
        this.read = read;
    }

    /** The read, handed to the executor; refused, it waits for the caller. */
    static <T> SideRead<T> start(Supplier<T> read, Executor executor) {
        SideRead<T> side = new SideRead<>(read);
        try {
            executor.execute(side);
        } catch (RejectedExecutionException refused) {
            // the caller reads it in join()
        }
        return side;
    }

    @Override
    public void run() {
        if (begun.compareAndSet(false, true)) {
            read();
        }
    }

    /**
     * The read's result: the caller reads it now if no thread has begun it, else waits for it. A failed read throws as the
     * caller's own read would have (the side thread's exception, with where the caller waited for it).
     */
    T join() {
        if (begun.compareAndSet(false, true)) {
            read();
        }
        try {
            return result.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException || cause instanceof Error) {
                cause.addSuppressed(new Exception("awaited by " + Thread.currentThread().getName()));
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                throw (Error) cause;
            }
            throw e;
        }
    }

    /** The caller is done with the read (joined, or failed before): a read not begun yet is not made. */
    @Override
    public void close() {
        begun.compareAndSet(false, true);
    }

    private void read() {
        try {
            result.complete(read.get());
        } catch (Throwable t) {
            result.completeExceptionally(t);
        }
    }
}
