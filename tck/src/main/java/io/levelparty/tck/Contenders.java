package io.levelparty.tck;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads that contend for one map: started together at a barrier, each running until a shared
 * deadline, with random pauses that shift how their operations interleave.
 *
 * <p>Races in a map that answers in a microsecond are found by time, not by operation count: a
 * fixed number of operations can be over before the last thread is even scheduled. So the
 * workers of {@link ConcurrencyContract} run until {@link #contention()} has passed, which the
 * system property {@value #CONTENTION_PROPERTY} sets in milliseconds.
 */
final class Contenders {

    /** System property: how long, in milliseconds, each contention test keeps its threads racing. */
    static final String CONTENTION_PROPERTY = "levelparty.tck.contentionMillis";

    /** How long a contention test runs when {@value #CONTENTION_PROPERTY} is not set. */
    static final Duration DEFAULT_CONTENTION = Duration.ofMillis(2000);

    /** How long all threads of one run may take beyond their deadline before the test fails. */
    static final Duration WAIT = Duration.ofSeconds(90);

    private Contenders() {
    }

    /** Returns how long each contention test keeps its threads racing. */
    static Duration contention() {
        String millis = System.getProperty(CONTENTION_PROPERTY);
        if (millis == null || millis.isBlank()) {
            return DEFAULT_CONTENTION;
        }
        try {
            return Duration.ofMillis(Long.parseLong(millis.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(CONTENTION_PROPERTY + " must be a number of milliseconds: " + millis, e);
        }
    }

    /** A worker's body, given its thread number (from 0) and its own source of randomness. */
    @FunctionalInterface
    interface Worker<T> {
        T run(int thread, Interleaving interleaving) throws Exception;
    }

    /**
     * Random pauses between operations, so the threads' operations do not settle into one
     * alignment: now and then a thread yields, or spins for a random short while.
     */
    static final class Interleaving {
        private final SplittableRandom random;

        Interleaving(long seed) {
            this.random = new SplittableRandom(seed);
        }

        /** Returns the randomness of this thread, to choose keys or directions with. */
        SplittableRandom random() {
            return random;
        }

        /** Pauses, or not, at random: mostly not, so the threads keep contending. */
        void pause() {
            int dice = random.nextInt(64);
            if (dice == 0) {
                Thread.yield();
            } else if (dice == 1) {
                for (int spins = random.nextInt(256); spins > 0; spins--) {
                    Thread.onSpinWait();
                }
            }
        }
    }

    /** A point in time by which the workers stop starting new operations. */
    record Deadline(long nanos) {

        /** Returns the deadline {@link #contention()} from now. */
        static Deadline afterContention() {
            return new Deadline(System.nanoTime() + contention().toNanos());
        }

        boolean passed() {
            return System.nanoTime() - nanos >= 0;
        }
    }

    /**
     * Runs {@code worker} on {@code threads} new threads, numbered from 0, started together at a
     * barrier, and returns their results in thread order. Rethrows the first failure of a worker,
     * and fails if the workers have not all finished within {@link #WAIT}; either way it interrupts
     * the rest.
     */
    static <T> List<T> run(int threads, Worker<T> worker) throws Exception {
        AtomicInteger created = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "contract-worker-" + created.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
        long seed = System.nanoTime();
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            CompletionService<T> completion = new ExecutorCompletionService<>(pool);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int thread = i;
                futures.add(completion.submit(() -> {
                    start.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    return worker.run(thread, new Interleaving(seed + thread));
                }));
            }
            long deadline = System.nanoTime() + WAIT.toNanos() + contention().toNanos();
            for (int finished = 0; finished < threads; finished++) {
                Future<T> done = completion.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (done == null) {
                    fail((threads - finished) + " of " + threads + " threads did not finish within " + WAIT
                            + " after the contention time");
                }
                try {
                    done.get();
                } catch (ExecutionException e) {
                    throw rethrown(e.getCause());
                }
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static Exception rethrown(Throwable cause) {
        if (cause instanceof Error error) {
            throw error;
        }
        if (cause instanceof Exception exception) {
            return exception;
        }
        return new IllegalStateException(cause);
    }
}
