package io.levelparty.impl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The writes of one follower's connection that must wait before they are applied (for other
 * followers' caches, see {@link CacheCoherence}), served in arrival order on a thread of their
 * own, so that the connection's thread goes on serving the requests behind them meanwhile (see
 * {@link LeaderSideConnection}, Writes behind).
 *
 * <p>Only the connection's thread submits, so once it sees nothing {@linkplain #isIdle()
 * outstanding} every write it submitted has been served, and a write it then serves itself comes
 * after them. The writes queued while a batch is served are served together as the next batch,
 * so that they share one wait.
 *
 * @param <W> a queued write
 */
final class LeaderSideWrites<W> {
    /** Serves a batch of writes, in order. */
    @FunctionalInterface
    interface Server<W> {
        /**
         * Serves {@code batch}; each write is done with once this returns or throws. A throw ends
         * the connection: the writes queued behind are {@linkplain #abandon abandoned}.
         */
        void serve(List<W> batch) throws Exception;
    }

    private final String threadName;
    private final int maxBatch;
    private final int capacity;
    private final Server<W> server;
    /** Releases a write that will never be served. */
    private final Consumer<W> abandon;
    /** Told why serving failed, on the writes' thread, once; it ends the connection. */
    private final Consumer<Throwable> onFailure;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock. */
    private final ArrayDeque<W> queue = new ArrayDeque<>();
    /** Writes queued or being served. Guarded by lock; read without it only by the submitting thread. */
    private volatile int outstanding;
    /** Guarded by lock. */
    private boolean finished;
    private boolean failed;
    /** Started by the first submission. Only the connection's thread touches it. */
    private Thread thread;

    /**
     * @param maxBatch the most writes served at once
     * @param capacity the most writes outstanding: a submission waits for room beyond it
     */
    LeaderSideWrites(String threadName, int maxBatch, int capacity, Server<W> server, Consumer<W> abandon,
            Consumer<Throwable> onFailure) {
        this.threadName = threadName;
        this.maxBatch = maxBatch;
        this.capacity = capacity;
        this.server = server;
        this.abandon = abandon;
        this.onFailure = onFailure;
    }

    /** Whether every write submitted so far has been served. Only for the submitting thread. */
    boolean isIdle() {
        return outstanding == 0;
    }

    /**
     * Queues {@code write}, waiting while {@code capacity} writes are outstanding: a follower that
     * sends writes faster than they are served waits as its socket fills. After a failure the
     * write is abandoned at once.
     */
    void submit(W write) {
        lock.lock();
        try {
            while (outstanding >= capacity && !failed) {
                changed.awaitUninterruptibly(); // bounded: the writes' thread serves or fails
            }
            if (failed) {
                abandon.accept(write);
                return;
            }
            queue.add(write);
            outstanding++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread == null) {
            thread = new Thread(this::run, threadName);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Waits until every write submitted so far has been served, or serving failed. */
    void awaitIdle() {
        lock.lock();
        try {
            while (outstanding > 0 && !failed) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes no more writes, and returns once those queued have been served (or abandoned, if
     * serving fails) and the writes' thread has ended.
     */
    void finish() {
        lock.lock();
        try {
            finished = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread == null) {
            return;
        }
        boolean interrupted = false;
        for (;;) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the writes must be over before the connection's socket closes
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<W> batch = new ArrayList<>(maxBatch);
        for (;;) {
            lock.lock();
            try {
                while (queue.isEmpty() && !finished) {
                    changed.awaitUninterruptibly();
                }
                if (queue.isEmpty()) {
                    return;
                }
                while (!queue.isEmpty() && batch.size() < maxBatch) {
                    batch.add(queue.poll());
                }
            } finally {
                lock.unlock();
            }
            try {
                server.serve(batch);
            } catch (Exception | Error e) { // the thread's last word: the connection ends, never hangs
                fail(e);
                return;
            }
            lock.lock();
            try {
                outstanding -= batch.size();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            batch.clear();
        }
    }

    /** Abandons every write still queued, and ends the connection. */
    private void fail(Throwable cause) {
        List<W> left;
        lock.lock();
        try {
            failed = true;
            left = new ArrayList<>(queue);
            queue.clear();
            outstanding = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        left.forEach(abandon);
        onFailure.accept(cause);
    }
}
