package io.levelparty.impl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.PartyException;
import io.levelparty.PartyUnavailableException;
import io.levelparty.Role;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A RemoteStore against a LeaderServer serving a LocalStore, over a real socket. */
class RemoteStoreTest {
    private static final Duration DEADLINE = Poll.DEADLINE;

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    private TestLeader leader;
    private RemoteStore remote;

    @BeforeEach
    void start() throws IOException {
        leader = new TestLeader(dir);
        remote = leader.connect();
    }

    @AfterEach
    void stop() {
        remote.close();
        leader.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    // ---------------------------------------------------------------- same answers as the LocalStore

    @Test
    void everyMethodAnswersAsALocalStoreDoes() {
        LocalStore reference = LocalStore.tryOpen(dir.resolve("reference"));
        try {
            List<String> keys = List.of("", "a", "ab", "b", "ba", "bb", "c", "\u00e9", "\u4e2d", "z");
            List<Function<PartyStore, Object>> ops = new ArrayList<>();
            for (String key : keys) {
                ops.add(s -> s.put(b(key), b("v1-" + key)));
            }
            ops.add(s -> s.put(b("b"), b("v2-b")));
            ops.add(s -> s.delete(b("bb")));
            ops.add(s -> s.delete(b("never")));
            ops.add(s -> s.compareAndSet(b("c"), b("v1-c"), b("v2-c")));
            ops.add(s -> s.compareAndSet(b("c"), b("v1-c"), b("v3-c")));
            ops.add(s -> s.compareAndSet(b("new"), null, b("created")));
            ops.add(s -> s.compareAndSet(b("new"), null, b("again")));
            ops.add(s -> s.compareAndSet(b("ab"), b("v1-ab"), null));
            ops.add(s -> s.compareAndSet(b("gone"), null, null));
            ops.add(s -> {
                s.batch(List.of(StoreWrite.put(b("d"), b("1")), StoreWrite.delete(b("ba")),
                        StoreWrite.put(b("d"), b("2"))));
                return null;
            });
            List<byte[]> probes = new ArrayList<>();
            probes.add(null);
            for (String key : List.of("", "a", "aa", "ab", "b", "bz", "c", "d", "new", "y", "z", "zz", "\u00e9",
                    "\u4e2d")) {
                probes.add(b(key));
            }
            for (byte[] probe : probes) {
                if (probe != null) {
                    ops.add(s -> s.get(probe));
                }
                for (Relation relation : Relation.values()) {
                    ops.add(s -> s.navigate(probe, relation));
                }
            }
            List<KeyRange> ranges = new ArrayList<>(List.of(KeyRange.ALL, new KeyRange(null, false, null, true),
                    new KeyRange(b("zz"), true, b("a"), true)));
            for (boolean lowInclusive : new boolean[] {true, false}) {
                for (boolean highInclusive : new boolean[] {true, false}) {
                    ranges.add(new KeyRange(b("b"), lowInclusive, b("c"), highInclusive));
                    ranges.add(new KeyRange(b("ab"), lowInclusive, null, highInclusive));
                    ranges.add(new KeyRange(null, lowInclusive, b("d"), highInclusive));
                    ranges.add(new KeyRange(b("c"), lowInclusive, b("c"), highInclusive));
                }
            }
            for (KeyRange range : ranges) {
                ops.add(s -> s.count(range));
                for (int limit : new int[] {1, 2, 3, 256}) {
                    ops.add(s -> s.scan(range, false, limit));
                    ops.add(s -> s.scan(range, true, limit));
                }
            }
            for (int i = 0; i < ops.size(); i++) {
                Object expected = ops.get(i).apply(reference);
                Object actual = ops.get(i).apply(remote);
                assertSameResult(expected, actual, "operation " + i);
            }
        } finally {
            reference.close();
        }
    }

    private static void assertSameResult(Object expected, Object actual, String what) {
        if (expected instanceof byte[] bytes) {
            assertInstanceOf(byte[].class, actual, what);
            assertArrayEquals(bytes, (byte[]) actual, what);
        } else if (expected instanceof StoreEntry entry) {
            assertInstanceOf(StoreEntry.class, actual, what);
            assertArrayEquals(entry.key(), ((StoreEntry) actual).key(), what);
            assertArrayEquals(entry.value(), ((StoreEntry) actual).value(), what);
        } else if (expected instanceof List<?> list) {
            assertInstanceOf(List.class, actual, what);
            List<?> actualList = (List<?>) actual;
            assertEquals(list.size(), actualList.size(), what);
            for (int i = 0; i < list.size(); i++) {
                assertSameResult(list.get(i), actualList.get(i), what + " entry " + i);
            }
        } else {
            assertEquals(expected, actual, what);
        }
    }

    @Test
    void compareAndSetHandlesAbsenceAndDeletion() {
        assertTrue(remote.compareAndSet(b("k"), null, b("1")), "absent as expected");
        assertFalse(remote.compareAndSet(b("k"), null, b("2")), "not absent any more");
        assertFalse(remote.compareAndSet(b("k"), b("0"), b("2")));
        assertTrue(remote.compareAndSet(b("k"), b("1"), null), "delete");
        assertNull(leader.store.get(b("k")));
        assertFalse(remote.compareAndSet(b("k"), b("1"), b("2")));
    }

    @Test
    void writesAreVisibleAtTheLeaderAndLeaderWritesAtTheFollower() {
        assertNull(remote.put(b("k"), b("from follower")));
        assertArrayEquals(b("from follower"), leader.store.get(b("k")));
        assertArrayEquals(b("from follower"), leader.store.put(b("k"), b("from leader")));
        assertArrayEquals(b("from leader"), remote.get(b("k")));
        assertArrayEquals(b("from leader"), remote.delete(b("k")));
        assertNull(leader.store.get(b("k")));
        assertEquals(Role.FOLLOWER, remote.role());
    }

    @Test
    void numberedWritesAndPingsAreServed() {
        assertNull(remote.put(b("k"), b("1"), 1, 0));
        assertTrue(remote.compareAndSet(b("k"), b("1"), b("2"), 2, 1));
        remote.batch(List.of(StoreWrite.put(b("j"), b("3"))), 3, 2);
        assertArrayEquals(b("2"), remote.delete(b("k"), 4, 3));
        remote.ping();
        assertEquals(1, leader.store.count(KeyRange.ALL));
    }

    @Test
    void batchesAreAtomicForFollowers() throws Exception {
        remote.batch(List.of(StoreWrite.put(b("x"), b("0")), StoreWrite.put(b("y"), b("0"))));
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> writer = pool.submit(() -> {
                int i = 0;
                while (!stop.get() && i < 2_000) {
                    i++;
                    remote.batch(List.of(StoreWrite.put(b("x"), b("" + i)), StoreWrite.put(b("y"), b("" + i))));
                }
                return i;
            });
            Future<Integer> reader = pool.submit(() -> {
                int pairs = 0;
                while (!writer.isDone()) {
                    List<StoreEntry> page = remote.scan(new KeyRange(b("x"), true, b("y"), true), false, 10);
                    assertEquals(2, page.size());
                    assertArrayEquals(page.get(0).value(), page.get(1).value(), "a batch was seen half applied");
                    pairs++;
                }
                return pairs;
            });
            assertTrue(writer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS) > 0);
            assertTrue(reader.get(DEADLINE.toSeconds(), TimeUnit.SECONDS) > 0);
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        // A batch with one bad write applies none of them.
        assertThrows(IllegalArgumentException.class, () -> remote.batch(List.of(StoreWrite.put(b("p"), b("1")),
                StoreWrite.put(new byte[] {(byte) 0xFF, 1}, b("1")))));
        assertNull(leader.store.get(b("p")));
    }

    // ---------------------------------------------------------------- pipelining

    @Test
    void manyThreadsPipelineMixedCallsAndEachGetsItsOwnAnswers() throws Exception {
        int threads = 8;
        int callsPerThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String prefix = "t" + t + "/";
                long seed = t;
                results.add(pool.submit(() -> {
                    exerciseOwnKeys(prefix, new Random(seed), callsPerThread);
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, leader.server.followerCount());
    }

    /**
     * Runs random calls on the keys under {@code prefix}, which no other thread touches, checking
     * each answer against a model of those keys.
     */
    private void exerciseOwnKeys(String prefix, Random random, int calls) {
        TreeMap<String, String> model = new TreeMap<>();
        KeyRange own = new KeyRange(b(prefix), true, b(prefix + "\uffff"), false);
        for (int i = 0; i < calls; i++) {
            String key = prefix + random.nextInt(40);
            String value = "v" + i;
            switch (random.nextInt(8)) {
                case 0 -> assertArrayEquals(bytesOrNull(model.put(key, value)), remote.put(b(key), b(value)));
                case 1 -> assertArrayEquals(bytesOrNull(model.get(key)), remote.get(b(key)));
                case 2 -> assertArrayEquals(bytesOrNull(model.remove(key)), remote.delete(b(key)));
                case 3 -> {
                    String expected = random.nextBoolean() ? model.get(key) : "v" + random.nextInt(i + 1);
                    boolean swapped = java.util.Objects.equals(model.get(key), expected);
                    assertEquals(swapped, remote.compareAndSet(b(key), bytesOrNull(expected), b(value)));
                    if (swapped) {
                        model.put(key, value);
                    }
                }
                case 4 -> {
                    String other = prefix + random.nextInt(40);
                    remote.batch(List.of(StoreWrite.put(b(key), b(value)), StoreWrite.delete(b(other))));
                    model.put(key, value);
                    model.remove(other);
                }
                case 5 -> {
                    Map.Entry<String, String> expected = model.ceilingEntry(key);
                    StoreEntry actual = remote.navigate(b(key), Relation.CEILING);
                    if (expected == null) {
                        assertTrue(actual == null || !new String(actual.key(), UTF_8).startsWith(prefix));
                    } else {
                        assertArrayEquals(b(expected.getKey()), actual.key());
                        assertArrayEquals(b(expected.getValue()), actual.value());
                    }
                }
                case 6 -> {
                    List<StoreEntry> page = remote.scan(own, true, 5);
                    List<Map.Entry<String, String>> expected = new ArrayList<>(model.descendingMap().entrySet());
                    assertEquals(Math.min(5, expected.size()), page.size());
                    for (int e = 0; e < page.size(); e++) {
                        assertArrayEquals(b(expected.get(e).getKey()), page.get(e).key());
                    }
                }
                default -> assertEquals(model.size(), remote.count(own));
            }
        }
    }

    private static byte[] bytesOrNull(String s) {
        return s == null ? null : b(s);
    }

    // ---------------------------------------------------------------- losing the leader

    @Test
    void closingTheLeaderFailsPendingAndLaterCallsAndRunsTheCallbackOnce() throws Exception {
        AtomicInteger callbacks = new AtomicInteger();
        CountDownLatch lost = new CountDownLatch(1);
        remote.onConnectionLost(() -> {
            callbacks.incrementAndGet();
            lost.countDown();
        });
        int threads = 4;
        CountDownLatch running = new CountDownLatch(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<RuntimeException>> outcomes = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                byte[] key = b("k" + t);
                outcomes.add(pool.submit(() -> {
                    running.countDown();
                    for (;;) {
                        try {
                            remote.put(key, key);
                            remote.get(key);
                        } catch (RuntimeException e) {
                            return e;
                        }
                    }
                }));
            }
            assertTrue(running.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            leader.server.close();
            for (Future<RuntimeException> outcome : outcomes) {
                assertInstanceOf(ConnectionLostException.class, outcome.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(lost.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        ConnectionLostException later = assertTimeoutPreemptively(DEADLINE,
                () -> assertThrows(ConnectionLostException.class, () -> remote.get(b("k0"))));
        assertTrue(later.getMessage().contains(leader.socket.toString()), later.getMessage());
        AtomicInteger lateCallbacks = new AtomicInteger();
        remote.onConnectionLost(lateCallbacks::incrementAndGet);
        assertEquals(1, lateCallbacks.get(), "a callback registered after the loss runs at once");
        assertEquals(1, callbacks.get());
    }

    @Test
    void aLeaderWhoseStoreClosesEndsTheConnection() throws InterruptedException {
        CountDownLatch lost = new CountDownLatch(1);
        remote.onConnectionLost(lost::countDown);
        leader.store.close();
        assertThrows(ConnectionLostException.class, () -> remote.get(b("k")));
        assertTrue(lost.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void aSilentLeaderTimesCallsOutAndLosingItFailsTheWaitingOnes() throws Exception {
        try (SilentLeader silent = new SilentLeader(dir.resolve("silent.sock"))) {
            RemoteStore shortTimeout = RemoteStore.connect(silent.socket, Duration.ofMillis(200), UUID.randomUUID());
            try {
                PartyUnavailableException timeout = assertThrows(PartyUnavailableException.class,
                        () -> shortTimeout.get(b("k")));
                assertTrue(timeout.getMessage().contains(silent.socket.toString()), timeout.getMessage());
                assertTrue(timeout.getMessage().contains("PT0.2S"), timeout.getMessage());
                silent.awaitRequests(1);
            } finally {
                shortTimeout.close();
            }

            RemoteStore patient = RemoteStore.connect(silent.socket, DEADLINE, UUID.randomUUID());
            CountDownLatch lost = new CountDownLatch(1);
            patient.onConnectionLost(lost::countDown);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<RuntimeException> waiting = pool.submit(() -> {
                    try {
                        patient.get(b("k"));
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                });
                silent.awaitRequests(1);
                silent.dropConnections();
                assertInstanceOf(ConnectionLostException.class, waiting.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
                assertTrue(lost.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
                patient.close();
            }
        }
    }

    // ---------------------------------------------------------------- limits and errors

    @Test
    void requestsOverTheFrameLimitAreRefusedAndTheConnectionGoesOn() {
        byte[] huge = new byte[Protocol.MAX_FRAME_BYTES];
        IllegalArgumentException tooLarge =
                assertThrows(IllegalArgumentException.class, () -> remote.put(b("k"), huge));
        assertTrue(tooLarge.getMessage().contains("maximum frame"), tooLarge.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> remote.batch(List.of(StoreWrite.put(b("a"), new byte[10 << 20]),
                        StoreWrite.put(b("b"), new byte[10 << 20]))));
        byte[] largest = new byte[Protocol.MAX_FRAME_BYTES - 100];
        Arrays.fill(largest, (byte) 7);
        assertNull(remote.put(b("k"), largest));
        assertArrayEquals(largest, remote.get(b("k")));
        assertNull(leader.store.get(b("a")));
    }

    @Test
    void valuesTooLargeToSendGiveAClearErrorAndTheConnectionGoesOn() {
        byte[] huge = new byte[Protocol.MAX_FRAME_BYTES + 10];
        leader.store.put(b("huge"), huge);
        leader.store.put(b("small"), b("1"));
        PartyException error = assertThrows(PartyException.class, () -> remote.get(b("huge")));
        assertTrue(error.getMessage().contains("maximum frame"), error.getMessage());
        assertThrows(PartyException.class, () -> remote.navigate(b("h"), Relation.CEILING));
        assertThrows(PartyException.class, () -> remote.scan(KeyRange.ALL, false, 10));
        List<StoreEntry> beyond = remote.scan(new KeyRange(b("huge"), false, null, false), false, 10);
        assertEquals(1, beyond.size());
        PartyException put = assertThrows(PartyException.class, () -> remote.put(b("huge"), b("2")));
        assertTrue(put.getMessage().contains("the write was applied"), put.getMessage());
        assertArrayEquals(b("2"), remote.get(b("huge")));
    }

    @Test
    void scanPagesAreCutToFitAFrameAndTheScanGoesOn() {
        // LocalStore ends a page after the entry that reaches 1 MiB: here "a" and "b", together
        // over the frame limit, so the leader sends "a" alone; "c" is past the 1 MiB mark anyway.
        leader.store.put(b("a"), new byte[(1 << 20) - 100]);
        leader.store.put(b("b"), new byte[Protocol.MAX_FRAME_BYTES - 1000]);
        leader.store.put(b("c"), b("small"));
        List<String> seen = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        KeyRange range = KeyRange.ALL;
        for (List<StoreEntry> page; !(page = remote.scan(range, false, 256)).isEmpty(); ) {
            pageSizes.add(page.size());
            for (StoreEntry entry : page) {
                seen.add(new String(entry.key(), UTF_8));
                assertArrayEquals(leader.store.get(entry.key()), entry.value());
            }
            range = range.above(page.get(page.size() - 1).key());
        }
        assertEquals(List.of("a", "b", "c"), seen);
        assertEquals(List.of(1, 1, 1), pageSizes);
    }

    @Test
    void reservedKeysAndBadArgumentsAreRefused() {
        byte[] reserved = {(byte) 0xFF, 'x'};
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> remote.put(reserved, b("v")));
        assertTrue(refused.getMessage().contains("reserved"), refused.getMessage());
        assertTrue(refused.getMessage().contains(leader.socket.toString()), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> remote.get(reserved));
        assertThrows(NullPointerException.class, () -> remote.get(null));
        assertThrows(NullPointerException.class, () -> remote.put(b("k"), null));
        assertThrows(IllegalArgumentException.class, () -> remote.scan(KeyRange.ALL, false, 0));
        assertEquals(0, leader.store.count(KeyRange.ALL));
        assertNull(remote.get(b("k")), "the connection goes on");
    }

    // ---------------------------------------------------------------- life cycle

    @Test
    void closeIsIdempotentAndLaterCallsThrowTermEndedException() {
        AtomicInteger callbacks = new AtomicInteger();
        remote.onConnectionLost(callbacks::incrementAndGet);
        remote.close();
        remote.close();
        assertThrows(TermEndedException.class, () -> remote.get(b("k")));
        assertThrows(TermEndedException.class, () -> remote.put(b("k"), b("v")));
        assertEquals(0, callbacks.get(), "closing is not losing");
        assertEquals(0, leader.store.count(KeyRange.ALL));
    }

    @Test
    void connectingWithoutALeaderThrowsIOException() throws IOException {
        Path missing = dir.resolve("missing.sock");
        IOException noFile =
                assertThrows(IOException.class, () -> RemoteStore.connect(missing, DEADLINE, UUID.randomUUID()));
        assertTrue(noFile.getMessage().contains(missing.toString()), noFile.getMessage());

        Path dead = dir.resolve("dead.sock");
        SilentLeader.leaveDeadSocketFile(dead);
        assertThrows(IOException.class, () -> RemoteStore.connect(dead, DEADLINE, UUID.randomUUID()));
    }

    @Test
    void manyFollowersAreServedAtOnce() throws IOException {
        List<RemoteStore> followers = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                followers.add(leader.connect());
            }
            for (int i = 0; i < followers.size(); i++) {
                followers.get(i).put(b("k" + i), b("v" + i));
            }
            for (RemoteStore follower : followers) {
                assertEquals(5, follower.count(KeyRange.ALL));
            }
            assertEquals(6, leader.server.followerCount());
        } finally {
            followers.forEach(RemoteStore::close);
        }
        Poll.until(() -> leader.server.followerCount() == 1, "the closed followers' connections to end");
    }
}
