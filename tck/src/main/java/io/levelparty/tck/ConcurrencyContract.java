package io.levelparty.tck;

import static io.levelparty.tck.MapAssertions.assertWeaklyConsistent;
import static io.levelparty.tck.MapAssertions.copy;
import static io.levelparty.tck.MapAssertions.sorted;
import static io.levelparty.tck.TestKeys.key;
import static io.levelparty.tck.TestKeys.valueOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.levelparty.tck.Contenders.Deadline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.CountDownLatch;
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
 * safe for concurrent use; values are decimal strings where tests count.
 *
 * <h2>How the races are made</h2>
 * Threads start together at a barrier and then race for a time rather than for a number of
 * operations: two seconds by default, set in milliseconds by the system property
 * {@value Contenders#CONTENTION_PROPERTY}. A map that answers in a microsecond thus gets millions
 * of overlapping operations, and a map that answers over a socket still gets thousands. Races on
 * one key are lined up without parking any thread: all threads work on the key at a shared
 * frontier, and the first to see the key taken moves the frontier on, so every key is contended
 * by every thread that is running. Threads pause at random now and then (a yield or a short spin)
 * so that the interleavings vary. Every wait is bounded: a worker that fails or hangs fails the
 * test.
 */
public abstract class ConcurrencyContract extends MapContractSupport {

    private static final int THREADS = 8;
    private static final String COUNTER = key(0);

    /** Operations each thread makes at least, even if the contention time is over sooner. */
    private static final int MIN_OPERATIONS = 200;

    /** Operations each thread makes at most, which bounds the memory the results take. */
    private static final int MAX_OPERATIONS = 250_000;

    /** Keys a frontier race goes through at most, which bounds the size of the map. */
    private static final int MAX_FRONTIER_KEYS = 250_000;

    /** Creates the contract, to be subclassed on its own. */
    protected ConcurrencyContract() {
    }

    /** Creates the contract as a nested class of {@code suite}. */
    ConcurrencyContract(ConcurrentNavigableMapTck suite) {
        super(suite);
    }

    // ------------------------------------------------------------------ counting

    @Test
    public void mergeIncrementsFromManyThreadsAreNeverLost() throws Exception {
        Deadline deadline = Deadline.afterContention();
        // Nothing is recorded per call, so the race runs for the whole contention time however
        // fast the map is: each thread counts its calls and checks that its results increase.
        List<long[]> callsAndLargest = Contenders.run(THREADS, (thread, interleaving) -> {
            long calls = 0;
            long previous = 0;
            while (calls < MIN_OPERATIONS || !deadline.passed()) {
                long count = countOf(map.merge(COUNTER, "1", ConcurrencyContract::sum), "merge");
                calls++;
                if (count <= previous) {
                    // Checked without building a message on every call, which would dilute the race.
                    fail("merge returned " + count + " after " + previous + " to the same thread");
                }
                previous = count;
                interleaving.pause();
            }
            return new long[] {calls, previous};
        });
        long total = callsAndLargest.stream().mapToLong(c -> c[0]).sum();
        long largest = callsAndLargest.stream().mapToLong(c -> c[1]).max().orElse(0);
        assertEquals(String.valueOf(total), map.get(COUNTER),
                "final count after " + total + " merges of 1: any shortfall is lost updates");
        assertEquals(total, largest, "largest count merge returned");
    }

    @Test
    public void computeIncrementsOnSeveralKeysAreNeverLost() throws Exception {
        int threads = 4;
        List<String> counters = TestKeys.present(4);
        Deadline deadline = Deadline.afterContention();
        List<Map<String, Counts>> returned = Contenders.run(threads, (thread, interleaving) -> {
            Map<String, Counts> results = new HashMap<>();
            counters.forEach(c -> results.put(c, new Counts()));
            for (int done = 0; keepGoing(done, deadline); done++) {
                String counter = counters.get(interleaving.random().nextInt(counters.size()));
                String count = map.compute(counter, (key, value) -> value == null ? "1" : sum(value, "1"));
                results.get(counter).add(count(count, "compute"));
                interleaving.pause();
            }
            return results;
        });
        for (String counter : counters) {
            List<Counts> perThread = returned.stream().map(r -> r.get(counter)).toList();
            int total = perThread.stream().mapToInt(Counts::size).sum();
            assertEachCountReturnedOnce(perThread, total, "compute on " + counter);
            assertEquals(total == 0 ? null : String.valueOf(total), map.get(counter), "final count of " + counter);
        }
    }

    @Test
    public void compareAndSetWithReplaceLosesNoUpdates() throws Exception {
        int threads = 4;
        map.put(COUNTER, "0");
        Deadline deadline = Deadline.afterContention();
        List<Counts> written = Contenders.run(threads, (thread, interleaving) -> {
            Counts results = new Counts();
            for (long attempts = 0; keepGoing(results.size(), deadline); attempts++) {
                if (attempts > 1_000 + 50L * results.size()) {
                    fail("replace(key, old, new) kept failing: " + results.size() + " increments in " + attempts
                            + " attempts");
                }
                String current = map.get(COUNTER);
                String next = sum(current, "1");
                interleaving.pause();
                if (map.replace(COUNTER, current, next)) {
                    results.add(count(next, "replace"));
                }
            }
            return results;
        });
        int total = written.stream().mapToInt(Counts::size).sum();
        assertEachCountReturnedOnce(written, total, "replace");
        assertEquals(String.valueOf(total), map.get(COUNTER), "final count after " + total + " replacements");
    }

    private static boolean keepGoing(int done, Deadline deadline) {
        return done < MIN_OPERATIONS || (done < MAX_OPERATIONS && !deadline.passed());
    }

    private static String sum(String a, String b) {
        return String.valueOf(Long.parseLong(a) + Long.parseLong(b));
    }

    /** Returns the count {@code value} holds, failing with what the map did if it is not one. */
    private static int count(String value, String what) {
        return (int) countOf(value, what);
    }

    private static long countOf(String value, String what) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new AssertionError(what + " returned " + MapAssertions.quote(value) + ", which is no count");
        }
    }

    /**
     * Asserts that the counts returned by all threads are exactly 1 to {@code total}, each once, and
     * that each thread saw its counts increase.
     */
    private static void assertEachCountReturnedOnce(List<Counts> perThread, int total, String what) {
        boolean[] returned = new boolean[total + 1];
        for (Counts counts : perThread) {
            long previous = 0;
            for (int i = 0; i < counts.size(); i++) {
                int count = counts.get(i);
                assertTrue(count >= 1 && count <= total, what + " returned " + count + ", outside 1.." + total
                        + " (the number of calls): an update was lost or invented");
                assertFalse(returned[count], what + " returned " + count + " twice: an update was lost");
                assertTrue(count > previous, what + " returned " + count + " after " + previous + " to the same thread");
                returned[count] = true;
                previous = count;
            }
        }
    }

    /** A growable list of {@code int}s, to record millions of results without boxing them. */
    private static final class Counts {
        private int[] values = new int[1024];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }

    // ------------------------------------------------------------------ races with one winner

    @Test
    public void putIfAbsentHasExactlyOneWinnerPerKey() throws Exception {
        Frontier frontier = new Frontier();
        List<Counts> observed = Contenders.run(THREADS, (thread, interleaving) -> {
            Counts results = new Counts();
            for (int k = frontier.get(); frontier.open(k); k = frontier.get()) {
                String previous = map.putIfAbsent(key(k), writtenBy(thread));
                results.add(k);
                results.add(previous == null ? WON : writerOf(previous));
                if (previous != null) {
                    frontier.passed(k);
                }
                interleaving.pause();
            }
            return results;
        });
        Map<Integer, Integer> stored = storedWriters(frontier.get());
        Map<Integer, Integer> winners = new HashMap<>();
        for (int thread = 0; thread < THREADS; thread++) {
            Counts results = observed.get(thread);
            for (int i = 0; i < results.size(); i += 2) {
                int k = results.get(i);
                int result = results.get(i + 1);
                if (result == WON) {
                    Integer winner = winners.put(k, thread);
                    assertNull(winner, "putIfAbsent(" + key(k) + ") inserted for thread " + winner + " and for thread "
                            + thread + ": two winners");
                    assertEquals(thread, stored.get(k), "the winner's value is stored for " + key(k));
                } else {
                    assertEquals(stored.get(k), result, "a loser's putIfAbsent(" + key(k)
                            + ") returns the winner's value (the number is the thread that wrote it)");
                }
            }
        }
        for (int k : stored.keySet()) {
            assertTrue(winners.containsKey(k), "no putIfAbsent inserted " + key(k) + ", yet it is stored");
        }
    }

    @Test
    public void computeIfAbsentGivesEveryThreadTheValueStored() throws Exception {
        Frontier frontier = new Frontier();
        List<Counts> observed = Contenders.run(THREADS, (thread, interleaving) -> {
            Counts results = new Counts();
            boolean[] called = new boolean[1];
            for (int k = frontier.get(); frontier.open(k); k = frontier.get()) {
                called[0] = false;
                String value = map.computeIfAbsent(key(k), key -> {
                    called[0] = true;
                    return writtenBy(thread);
                });
                results.add(k);
                results.add(writerOf(value));
                if (!called[0]) {
                    frontier.passed(k);
                }
                interleaving.pause();
            }
            return results;
        });
        Map<Integer, Integer> stored = storedWriters(frontier.get());
        for (Counts results : observed) {
            for (int i = 0; i < results.size(); i += 2) {
                int k = results.get(i);
                assertEquals(stored.get(k), results.get(i + 1),
                        "computeIfAbsent(" + key(k) + ") returns the value stored (the number is the thread that wrote it)");
            }
        }
    }

    @Test
    public void removeWithValueSucceedsForExactlyOneThread() throws Exception {
        Frontier frontier = new Frontier();
        AtomicInteger prepared = new AtomicInteger();
        map.put(key(0), valueOf(key(0)));
        List<Counts> removed = Contenders.run(THREADS, (thread, interleaving) -> {
            Counts results = new Counts();
            for (int k = frontier.get(); frontier.open(k); k = frontier.get()) {
                if (map.remove(key(k), valueOf(key(k)))) {
                    results.add(k);
                } else if (prepared.compareAndSet(k, k + 1)) {
                    // Only the thread that moves the frontier puts the next key, and before moving it,
                    // so no thread can remove a key that another is about to put back.
                    map.put(key(k + 1), valueOf(key(k + 1)));
                    frontier.passed(k);
                }
                interleaving.pause();
            }
            return results;
        });
        int last = frontier.get();
        int[] winners = new int[last + 1];
        for (Counts results : removed) {
            for (int i = 0; i < results.size(); i++) {
                int k = results.get(i);
                assertTrue(k <= last, "remove(key, value) removed " + key(k) + ", which was never put");
                winners[k]++;
                assertTrue(winners[k] == 1, "remove(" + key(k) + ", value) returned true for two threads");
            }
        }
        for (int k = 0; k < last; k++) {
            assertEquals(1, winners[k], "threads whose remove(key, value) removed " + key(k));
        }
        List<Map.Entry<String, String>> left = winners[last] == 1 ? List.of() : List.of(Map.entry(key(last), valueOf(key(last))));
        assertEquals(left, MapAssertions.entries(map), "entries left: at most the last key put");
    }

    /** The key index every thread of a frontier race works on, and when the race ends. */
    private static final class Frontier {
        private final AtomicInteger key = new AtomicInteger();
        private final Deadline deadline = Deadline.afterContention();

        int get() {
            return key.get();
        }

        /** Returns whether threads are to work on key {@code k}. */
        boolean open(int k) {
            return k < MAX_FRONTIER_KEYS && (k < MIN_OPERATIONS || !deadline.passed());
        }

        /** Moves the frontier past {@code k}, unless another thread already has. */
        void passed(int k) {
            key.compareAndSet(k, k + 1);
        }
    }

    private static final int WON = -1;

    private static String writtenBy(int thread) {
        return "thread " + thread;
    }

    /** Returns the thread that wrote {@code value}, or {@link Integer#MIN_VALUE} for a value no thread wrote. */
    private static int writerOf(String value) {
        if (value != null && value.startsWith("thread ")) {
            try {
                return Integer.parseInt(value.substring("thread ".length()));
            } catch (NumberFormatException e) {
                return Integer.MIN_VALUE;
            }
        }
        return Integer.MIN_VALUE;
    }

    /** Returns, for each key index up to {@code last}, the thread whose value the map holds. */
    private Map<Integer, Integer> storedWriters(int last) {
        Map<Integer, Integer> stored = new HashMap<>();
        for (int k = 0; k <= last && k < MAX_FRONTIER_KEYS; k++) {
            String value = map.get(key(k));
            if (value != null) {
                int writer = writerOf(value);
                assertTrue(writer >= 0, "value stored under " + key(k) + " was written by no thread: " + value);
                stored.put(k, writer);
            }
        }
        return stored;
    }

    @Test
    public void concurrentPollsReturnEveryEntryExactlyOnce() throws Exception {
        // Every thread puts a new key and polls one, from the start or the end, again and again,
        // so the map keeps a backlog and every thread contends for its ends all the time, with no
        // barrier between rounds to park the threads and let one of them poll alone.
        Deadline deadline = Deadline.afterContention();
        int backlog = 64;
        TestKeys.universe(backlog).forEach(k -> map.put(k, valueOf(k)));
        AtomicInteger next = new AtomicInteger(backlog);
        List<List<Map.Entry<String, String>>> polled = Contenders.run(THREADS, (thread, interleaving) -> {
            List<Map.Entry<String, String>> mine = new ArrayList<>();
            boolean fromStart = thread % 3 != 0;
            for (int done = 0; done < MIN_OPERATIONS || !deadline.passed(); done++) {
                int k = next.getAndIncrement();
                if (k >= MAX_FRONTIER_KEYS) {
                    break;
                }
                map.put(key(k), valueOf(key(k)));
                Map.Entry<String, String> entry = fromStart ? map.pollFirstEntry() : map.pollLastEntry();
                if (entry != null) {
                    mine.add(copy(entry));
                }
                interleaving.pause();
            }
            return mine;
        });
        polled = new ArrayList<>(polled);
        polled.add(MapAssertions.entries(map));
        map.clear();
        int produced = Math.min(next.get(), MAX_FRONTIER_KEYS);
        Map<String, String> all = new HashMap<>();
        for (List<Map.Entry<String, String>> entries : polled) {
            for (Map.Entry<String, String> entry : entries) {
                assertNull(all.put(entry.getKey(), entry.getValue()), "returned twice, by two polls or by a poll and the map afterwards: " + entry);
            }
        }
        List<String> put = TestKeys.universe(produced);
        List<String> neverPolled = put.stream().filter(k -> !all.containsKey(k)).limit(5).toList();
        assertTrue(neverPolled.isEmpty(), "entries put but never polled, for example " + neverPolled);
        assertEquals(put.size(), all.size(), "entries polled, of the " + put.size() + " put");
        all.forEach((k, v) -> assertEquals(valueOf(k), v, "value polled with " + k));
    }

    @Test
    public void putsAndRemovesOfDisjointKeysFromManyThreadsAreAllApplied() throws Exception {
        int perThread = 1_000;
        Contenders.run(THREADS, (thread, interleaving) -> {
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
        Contenders.run(writers + readers.size(), (thread, interleaving) -> {
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
}
