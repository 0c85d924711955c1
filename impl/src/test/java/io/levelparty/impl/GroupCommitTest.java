package io.levelparty.impl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.StorageEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Synced writes of several threads, numbered as followers' writes are, commit in groups (see
 * {@link GroupCommit}): and each write of a group sees the ones before it, takes effect once, and
 * returns the outcome of its own place in the commit order.
 */
class GroupCommitTest {
    private static final int THREADS = 6;
    private static final int WRITES = 150;

    @TempDir
    Path dir;

    /**
     * Every thread puts its own values into one key and keeps the previous values it is given. In
     * a commit order every value is the previous value of exactly one later put, and the last one
     * stays: a write of a group that read the database instead of the writes staged before it would
     * return a previous value twice.
     */
    @ParameterizedTest
    @EnumSource(value = StorageEngine.class, names = {"NATIVE", "JAVA"})
    void everyPutOfAGroupSeesTheOnesBeforeIt(StorageEngine engine) throws Exception {
        LocalStore store = LocalStore.tryOpen(dir.resolve("db"), engine);
        assertNotNull(store);
        try {
            byte[] key = bytes("shared");
            List<List<byte[]>> previous = run(THREADS, t -> {
                UUID client = UUID.randomUUID();
                List<byte[]> seen = new ArrayList<>();
                for (int i = 1; i <= WRITES; i++) {
                    seen.add(store.applyOnce(new WriteId(client, i, i - 1),
                            new WriteCommand.Put(key, bytes(t + "/" + i)), true));
                }
                return seen;
            });
            Set<String> written = new HashSet<>();
            for (int t = 0; t < THREADS; t++) {
                for (int i = 1; i <= WRITES; i++) {
                    written.add(t + "/" + i);
                }
            }
            Map<String, Integer> timesPrevious = new HashMap<>();
            int nulls = 0;
            for (List<byte[]> thread : previous) {
                for (byte[] p : thread) {
                    if (p == null) {
                        nulls++;
                    } else {
                        timesPrevious.merge(new String(p, UTF_8), 1, Integer::sum);
                    }
                }
            }
            assertEquals(1, nulls, "puts that found the key empty");
            timesPrevious.forEach((value, times) -> assertEquals(1, times, value + " was the previous value of " + times + " puts"));
            String last = new String(store.get(key), UTF_8);
            assertNull(timesPrevious.get(last), "the value that stays was replaced: " + last);
            Set<String> accounted = new HashSet<>(timesPrevious.keySet());
            accounted.add(last);
            assertEquals(written, accounted, "every value written is a previous value or the last one");
            assertTrue(store.groupedWrites() > 0, "no two of " + THREADS * WRITES + " synced writes were committed together");
        } finally {
            store.close();
        }
    }

    /**
     * Compare-and-set increments of a few counters by every thread, each write also sent a second
     * time under its number, at once from another thread, as a follower's resend after a failover
     * may race its first send: every increment that reports success counts once, a resend gets the
     * outcome of the first, and nothing counts twice.
     */
    @ParameterizedTest
    @EnumSource(value = StorageEngine.class, names = {"NATIVE", "JAVA"})
    void resentIncrementsOfAGroupTakeEffectOnce(StorageEngine engine) throws Exception {
        LocalStore store = LocalStore.tryOpen(dir.resolve("db"), engine);
        assertNotNull(store);
        ExecutorService resends = Executors.newCachedThreadPool();
        try {
            int counters = 3;
            List<List<Integer>> succeeded = run(THREADS, t -> {
                UUID client = UUID.randomUUID();
                List<Integer> counted = new ArrayList<>(List.of(0, 0, 0));
                long seq = 0;
                for (int i = 0; i < WRITES; i++) {
                    int c = (t + i) % counters;
                    byte[] key = bytes("counter" + c);
                    byte[] current = store.get(key);
                    long next = current == null ? 1 : Long.parseLong(new String(current, UTF_8)) + 1;
                    WriteCommand.CompareAndSet cas = new WriteCommand.CompareAndSet(key, current, bytes(Long.toString(next)));
                    WriteId id = new WriteId(client, ++seq, seq - 1);
                    Future<Boolean> resent = resends.submit(() -> store.applyOnce(id, cas, true));
                    boolean first = store.applyOnce(id, cas, true);
                    assertEquals(first, resent.get(30, TimeUnit.SECONDS), "the resend of write " + id + " got another outcome");
                    if (first) {
                        counted.set(c, counted.get(c) + 1);
                    }
                }
                return counted;
            });
            for (int c = 0; c < counters; c++) {
                int total = 0;
                for (List<Integer> thread : succeeded) {
                    total += thread.get(c);
                }
                byte[] value = store.get(bytes("counter" + c));
                assertEquals(total, value == null ? 0 : Long.parseLong(new String(value, UTF_8)),
                        "counter" + c + " against the increments that reported success");
            }
            assertTrue(store.groupedWrites() > 0, "no two synced writes were committed together");
        } finally {
            resends.shutdownNow();
            store.close();
        }
    }

    private interface Body<T> {
        T run(int thread) throws Exception;
    }

    /** Runs {@code body} on {@code threads} threads started together and returns their results. */
    private static <T> List<T> run(int threads, Body<T> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Callable<T> task = () -> {
                    start.await();
                    return body.run(thread);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(2, TimeUnit.MINUTES));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
