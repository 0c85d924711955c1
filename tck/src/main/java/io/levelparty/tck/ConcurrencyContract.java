package io.levelparty.tck;

import static io.levelparty.tck.MapAssertions.assertStrictlyOrdered;
import static io.levelparty.tck.MapAssertions.assertWeaklyConsistent;
import static io.levelparty.tck.MapAssertions.copy;
import static io.levelparty.tck.MapAssertions.sorted;
import static io.levelparty.tck.TestKeys.key;
import static io.levelparty.tck.TestKeys.valueOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Contract tests for a {@link ConcurrentNavigableMap}{@code <String, String>} used by many threads
 * at once: the atomic operations lose no update and have exactly one winner, polls hand out each
 * entry once, and iteration stays weakly consistent while other threads write.
 *
 * <p>Use it like {@link ConcurrentNavigableMapContract}: subclass it and implement
 * {@link #newMap()}. All threads of a test share the one map from {@link #newMap()}, so it must be
 * safe for concurrent use; values are decimal strings where tests count. Threads start together at
 * a barrier, races on one key are lined up by a barrier per key, and every wait is bounded: a
 * worker that fails or hangs fails the test. Each test performs at most about 100,000 map
 * operations, so maps that are much slower per operation than
 * {@link java.util.concurrent.ConcurrentSkipListMap} (for example because each operation is a
 * round trip to another process) still finish in seconds.
 */
public abstract class ConcurrencyContract extends MapContractSupport {

    private static final int THREADS = 8;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String COUNTER = key(0);

    // ------------------------------------------------------------------ counting

    @Test
    public void mergeIncrementsFromManyThreadsAreNeverLost() throws Exception {
        int perThread = 10_000;
        List<List<Long>> returned = runConcurrently(THREADS, thread -> {
            List<Long> results = new ArrayList<>(perThread);
            for (int i = 0; i < perThread; i++) {
                results.add(Long.parseLong(map.merge(COUNTER, "1", ConcurrencyContract::sum)));
            }
            return results;
        });
        assertEquals(String.valueOf(THREADS * perThread), map.get(COUNTER), "final count");
        assertEachCountReturnedOnce(returned, THREADS * perThread, "merge");
    }

    @Test
    public void computeIncrementsOnSeveralKeysAreNeverLost() throws Exception {
        int threads = 4;
        int rounds = 5_000;
        List<String> counters = TestKeys.present(4);
        List<Map<String, List<Long>>> returned = runConcurrently(threads, thread -> {
            Map<String, List<Long>> results = new HashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < counters.size(); k++) {
                    String counter = counters.get((k + thread) % counters.size());
                    String count = map.compute(counter, (key, value) -> value == null ? "1" : sum(value, "1"));
                    results.computeIfAbsent(counter, c -> new ArrayList<>()).add(Long.parseLong(count));
                }
            }
            return results;
        });
        for (String counter : counters) {
            assertEquals(String.valueOf(threads * rounds), map.get(counter), "final count of " + counter);
            assertEachCountReturnedOnce(returned.stream().map(r -> r.get(counter)).toList(), threads * rounds,
                    "compute on " + counter);
        }
    }

    @Test
    public void compareAndSetWithReplaceLosesNoUpdates() throws Exception {
        int threads = 4;
        int perThread = 2_500;
        map.put(COUNTER, "0");
        List<List<Long>> written = runConcurrently(threads, thread -> {
            List<Long> results = new ArrayList<>(perThread);
            for (int attempts = 0; results.size() < perThread; attempts++) {
                if (attempts > 50 * perThread) {
                    fail("replace(key, old, new) kept failing: " + results.size() + " increments in " + attempts + " attempts");
                }
                String current = map.get(COUNTER);
                String next = sum(current, "1");
                if (map.replace(COUNTER, current, next)) {
                    results.add(Long.parseLong(next));
                }
            }
            return results;
        });
        assertEquals(String.valueOf(threads * perThread), map.get(COUNTER), "final count");
        assertEachCountReturnedOnce(written, threads * perThread, "replace");
    }

    private static String sum(String a, String b) {
        return String.valueOf(Long.parseLong(a) + Long.parseLong(b));
    }

    /**
     * Asserts that the counts returned by all threads are exactly 1 to {@code total}, each once, and
     * that each thread saw its counts increase.
     */
    private static void assertEachCountReturnedOnce(List<List<Long>> perThread, int total, String what) {
        boolean[] returned = new boolean[total + 1];
        for (List<Long> counts : perThread) {
            long previous = 0;
            for (long count : counts) {
                assertTrue(count >= 1 && count <= total, what + " returned " + count + ", outside 1.." + total);
                assertFalse(returned[(int) count], what + " returned " + count + " twice: an update was lost");
                assertTrue(count > previous, what + " returned " + count + " after " + previous + " to the same thread");
                returned[(int) count] = true;
                previous = count;
            }
        }
    }

    // ------------------------------------------------------------------ races with one winner

    @Test
    public void putIfAbsentHasExactlyOneWinnerPerKey() throws Exception {
        int rounds = 200;
        CyclicBarrier everyRound = new CyclicBarrier(THREADS);
        List<String[]> observed = runConcurrently(THREADS, thread -> {
            String[] results = new String[rounds];
            for (int round = 0; round < rounds; round++) {
                everyRound.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                results[round] = map.putIfAbsent(key(round), "thread " + thread);
            }
            return results;
        });
        for (int round = 0; round < rounds; round++) {
            String stored = map.get(key(round));
            assertNotNull(stored, "no value stored for " + key(round));
            int winners = 0;
            for (int thread = 0; thread < THREADS; thread++) {
                String result = observed.get(thread)[round];
                if (result == null) {
                    winners++;
                    assertEquals("thread " + thread, stored, "the winner's value is stored for " + key(round));
                } else {
                    assertEquals(stored, result, "a loser sees the winner's value for " + key(round));
                }
            }
            assertEquals(1, winners, "threads whose putIfAbsent inserted " + key(round));
        }
        assertEquals(rounds, map.size());
    }

    @Test
    public void computeIfAbsentGivesEveryThreadTheValueStored() throws Exception {
        int rounds = 100;
        CyclicBarrier everyRound = new CyclicBarrier(THREADS);
        List<String[]> observed = runConcurrently(THREADS, thread -> {
            String[] results = new String[rounds];
            for (int round = 0; round < rounds; round++) {
                everyRound.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                results[round] = map.computeIfAbsent(key(round), k -> "thread " + thread);
            }
            return results;
        });
        for (int round = 0; round < rounds; round++) {
            String stored = map.get(key(round));
            assertNotNull(stored, "no value stored for " + key(round));
            for (String[] results : observed) {
                assertEquals(stored, results[round], "computeIfAbsent result for " + key(round));
            }
        }
    }

    @Test
    public void removeWithValueSucceedsForExactlyOneThread() throws Exception {
        int rounds = 200;
        TestKeys.universe(rounds).forEach(k -> map.put(k, valueOf(k)));
        CyclicBarrier everyRound = new CyclicBarrier(THREADS);
        List<boolean[]> observed = runConcurrently(THREADS, thread -> {
            boolean[] results = new boolean[rounds];
            for (int round = 0; round < rounds; round++) {
                everyRound.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                results[round] = map.remove(key(round), valueOf(key(round)));
            }
            return results;
        });
        for (int round = 0; round < rounds; round++) {
            int winners = 0;
            for (boolean[] results : observed) {
                winners += results[round] ? 1 : 0;
            }
            assertEquals(1, winners, "threads whose remove(key, value) removed " + key(round));
        }
        assertTrue(map.isEmpty(), "every key removed");
    }

    @Test
    public void concurrentPollsReturnEveryEntryExactlyOnce() throws Exception {
        TreeMap<String, String> expected = expectedMap();
        TestKeys.present(2_000).forEach(k -> expected.put(k, valueOf(k)));
        map.putAll(expected);
        Comparator<String> order = keyOrder();
        List<List<Map.Entry<String, String>>> polled = runConcurrently(THREADS, thread -> {
            boolean fromStart = thread % 2 == 0;
            List<Map.Entry<String, String>> results = new ArrayList<>();
            Map.Entry<String, String> entry;
            while ((entry = fromStart ? map.pollFirstEntry() : map.pollLastEntry()) != null) {
                results.add(copy(entry));
                assertTrue(results.size() <= expected.size(), "polled more entries than the map held");
            }
            List<String> keys = results.stream().map(Map.Entry::getKey).toList();
            assertStrictlyOrdered(keys, fromStart ? order : order.reversed(),
                    "keys polled by one thread from the " + (fromStart ? "start" : "end"));
            return results;
        });
        Map<String, String> all = new HashMap<>();
        for (List<Map.Entry<String, String>> results : polled) {
            for (Map.Entry<String, String> entry : results) {
                assertNull(all.put(entry.getKey(), entry.getValue()), "polled twice: " + entry);
            }
        }
        assertEquals(expected, all, "every entry polled exactly once");
        assertTrue(map.isEmpty(), "map is empty after polling");
    }

    @Test
    public void putsAndRemovesOfDisjointKeysFromManyThreadsAreAllApplied() throws Exception {
        int perThread = 1_000;
        runConcurrently(THREADS, thread -> {
            List<String> mine = TestKeys.universe(THREADS * perThread).subList(thread * perThread, (thread + 1) * perThread);
            mine.forEach(k -> map.put(k, valueOf(k)));
            for (int i = 0; i < mine.size(); i += 2) {
                map.remove(mine.get(i));
            }
            return null;
        });
        TreeMap<String, String> expected = expectedMap();
        List<String> all = TestKeys.universe(THREADS * perThread);
        for (int i = 1; i < all.size(); i += 2) {
            expected.put(all.get(i), valueOf(all.get(i)));
        }
        assertEquals(expected.size(), map.size(), "size()");
        assertEquals(MapAssertions.entries(expected), MapAssertions.entries(map), "entries");
    }

    // ------------------------------------------------------------------ iteration during writes

    @Test
    public void iterationWhileOtherThreadsWriteIsWeaklyConsistent() throws Exception {
        List<String> universe = TestKeys.universe(2_000);
        List<String> stable = new ArrayList<>();
        List<String> churning = new ArrayList<>();
        for (int i = 0; i < universe.size(); i++) {
            (i % 2 == 0 ? stable : churning).add(universe.get(i));
        }
        stable.forEach(k -> map.put(k, valueOf(k)));
        for (int i = 0; i < churning.size(); i += 2) {
            map.put(churning.get(i), valueOf(churning.get(i)));
        }
        Comparator<String> order = keyOrder();
        List<String> sortedStable = sorted(stable, order);
        String low = sortedStable.get(200);
        String high = sortedStable.get(800);
        Predicate<String> closedOpen = k -> order.compare(k, low) >= 0 && order.compare(k, high) < 0;
        Predicate<String> closed = k -> order.compare(k, low) >= 0 && order.compare(k, high) <= 0;
        List<Reader> readers = List.of(
                new Reader("keySet()", m -> m.keySet().iterator(), order, k -> true),
                new Reader("descendingKeySet()", m -> m.descendingKeySet().iterator(), order.reversed(), k -> true),
                new Reader("subMap(low, true, high, false).entrySet()",
                        m -> keysOf(m.subMap(low, true, high, false).entrySet().iterator()), order, closedOpen),
                new Reader("descendingMap().subMap(high, true, low, true).entrySet()",
                        m -> keysOf(m.descendingMap().subMap(high, true, low, true).entrySet().iterator()),
                        order.reversed(), closed));
        int writers = 2;
        int passes = 10;
        CountDownLatch readersDone = new CountDownLatch(readers.size());
        AtomicInteger writes = new AtomicInteger();
        runConcurrently(writers + readers.size(), thread -> {
            if (thread < writers) {
                Random random = new Random(thread);
                for (int ops = 0; ops < 500 || (readersDone.getCount() > 0 && ops < 20_000); ops++) {
                    String key = churning.get(random.nextInt(churning.size()));
                    if (random.nextBoolean()) {
                        map.put(key, valueOf(key));
                    } else {
                        map.remove(key);
                    }
                    writes.incrementAndGet();
                }
                return null;
            }
            Reader reader = readers.get(thread - writers);
            try {
                List<String> mustSee = stable.stream().filter(reader.inRange).toList();
                for (int pass = 0; pass < passes; pass++) {
                    List<String> seen = MapAssertions.drain(reader.open.apply(map), universe.size(), reader.name);
                    assertWeaklyConsistent(seen, reader.order, mustSee, universe, reader.name + ", pass " + pass);
                }
            } finally {
                readersDone.countDown();
            }
            return null;
        });
        assertTrue(writes.get() >= writers * 500, "writers ran");
        assertTrue(map.keySet().containsAll(stable), "keys no writer touched are all still present");
    }

    /** A reader of the map: opens a traversal and knows its order and the keys it covers. */
    private record Reader(String name, Function<ConcurrentNavigableMap<String, String>, Iterator<String>> open,
            Comparator<String> order, Predicate<String> inRange) {
    }

    /** Returns the keys of entries, checking each holds the value stored under its key. */
    private static Iterator<String> keysOf(Iterator<Map.Entry<String, String>> entries) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public String next() {
                Map.Entry<String, String> entry = entries.next();
                assertEquals(valueOf(entry.getKey()), entry.getValue(), "value of " + entry.getKey());
                return entry.getKey();
            }
        };
    }

    // ------------------------------------------------------------------ running threads

    @FunctionalInterface
    private interface Worker<T> {
        T run(int thread) throws Exception;
    }

    /**
     * Runs {@code worker} on {@code threads} new threads, numbered from 0, started together at a
     * barrier, and returns their results in thread order. Rethrows the first failure of a worker,
     * and fails if the workers have not all finished within {@link #WAIT}; either way it interrupts
     * the rest.
     */
    private static <T> List<T> runConcurrently(int threads, Worker<T> worker) throws Exception {
        AtomicInteger created = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "contract-worker-" + created.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            CompletionService<T> completion = new ExecutorCompletionService<>(pool);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int thread = i;
                futures.add(completion.submit(() -> {
                    start.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    return worker.run(thread);
                }));
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (int finished = 0; finished < threads; finished++) {
                Future<T> done = completion.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (done == null) {
                    fail((threads - finished) + " of " + threads + " threads did not finish within " + WAIT);
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
