package io.levelparty.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.PartyStats;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Consistency#RELAXED} point reads on etcd: a cache fed by the watch, which reads this
 * process's writes, never goes back to an older value, empties itself when its watch lost history,
 * and keeps to its size; and {@link Consistency#STRICT}, which caches nothing.
 */
class RelaxedReadsTest {
    @RegisterExtension
    static final EtcdNode etcd = new EtcdNode();

    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private static PartyOptions<String> relaxed(long cacheSize) {
        return PartyOptions.of(Codecs.utf8()).consistency(Consistency.RELAXED).cacheSize(cacheSize);
    }

    /**
     * Counters incremented by this process and by another client at once, on more keys than the
     * cache holds: each value of a counter is newer than every smaller one, so a read below this
     * process's last write, or below its last read, is a stale read the cache let through.
     */
    @Test
    void readsSeeThisProcesssWritesAndNeverGoBackWhileAnotherClientWrites() throws Exception {
        URI uri = etcd.newUri("ryw");
        int keys = 12;
        long runNanos = TimeUnit.SECONDS.toNanos(3);
        try (TcpProxy proxy = new TcpProxy(etcd.port()); // a second endpoint, so that the other client is one of its own
                PartyMap<String> mine = LevelParty.open(uri, relaxed(4));
                PartyMap<String> other = LevelParty.open(
                        URI.create("etcd://127.0.0.1:" + proxy.port() + uri.getPath()), Codecs.utf8())) {
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                long end = System.nanoTime() + runNanos;
                List<Future<Long>> checks = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int first = t;
                    checks.add(threads.submit(() -> count(other, keys, first, end)));
                    checks.add(threads.submit(() -> countAndCheck(mine, keys, first, end)));
                }
                long checked = 0;
                for (Future<Long> check : checks) {
                    checked += check.get(runNanos + WAIT_NANOS, TimeUnit.NANOSECONDS);
                }
                PartyStats stats = mine.stats();
                assertTrue(checked > 100, "only " + checked + " reads were checked");
                assertTrue(stats.cacheHits() > 0 && stats.cacheEvictions() > 0,
                        "the cache must serve and evict for this test to mean anything: " + stats);
            } finally {
                threads.shutdownNow();
            }
        }
    }

    /** Increments the counters from key {@code first} on, by turns, until {@code end}; returns 0 reads checked. */
    private static long count(PartyMap<String> map, int keys, int first, long end) {
        for (int i = first; System.nanoTime() - end < 0; i++) {
            increment(map, "c" + (i % keys));
        }
        return 0;
    }

    /**
     * Increments the counters and reads each back after every increment: the read must return at
     * least what the increment wrote, and at least what the last read of that key returned.
     * Returns how many reads were checked.
     */
    private static long countAndCheck(PartyMap<String> map, int keys, int first, long end) {
        long[] seen = new long[keys];
        long checked = 0;
        for (int i = first; System.nanoTime() - end < 0; i++) {
            int k = i % keys;
            long wrote = increment(map, "c" + k);
            seen[k] = Math.max(seen[k], wrote);
            for (int n = 0; n < keys; n++) {
                String value = map.get("c" + n);
                long read = value == null ? 0 : Long.parseLong(value);
                if (read < seen[n]) {
                    fail("c" + n + " read " + read + " after this thread had " + (n == k ? "written " : "seen ") + seen[n]);
                }
                seen[n] = read;
                checked++;
            }
        }
        return checked;
    }

    private static long increment(PartyMap<String> map, String key) {
        return Long.parseLong(map.merge(key, "1", (a, b) -> String.valueOf(Long.parseLong(a) + Long.parseLong(b))));
    }

    @Test
    void anotherClientsWriteReachesTheCacheThroughTheWatchWithoutAMiss() {
        URI uri = etcd.newUri("fed");
        try (PartyMap<String> mine = LevelParty.open(uri, relaxed(100));
                PartyMap<String> other = LevelParty.open(uri, Codecs.utf8())) {
            other.put("k", "1");
            assertEquals("1", awaitRead(mine, "k", "1"));
            long misses = mine.stats().cacheMisses();
            other.put("k", "2");
            assertEquals("2", awaitRead(mine, "k", "2"));
            other.remove("k");
            assertNull(awaitRead(mine, "k", null));
            assertEquals(misses, mine.stats().cacheMisses(), "the watch updated the cached key rather than dropping it");
        }
    }

    /**
     * The watch of the cache is cut off while another client overwrites a cached key and etcd
     * compacts that write's history away: when the watch is back, the cache must not serve the
     * value it held, which no watched change will ever replace, and once this process has read the
     * new value it never reads the old one again.
     */
    @Test
    void aCacheWhoseWatchLostCompactedHistoryEmptiesAndNeverServesAnOlderValueAgain() throws Exception {
        URI uri = etcd.newUri("gap");
        try (TcpProxy proxy = new TcpProxy(etcd.port());
                PartyMap<String> mine = LevelParty.open(
                        URI.create("etcd://127.0.0.1:" + proxy.port() + uri.getPath()), relaxed(100));
                PartyMap<String> other = LevelParty.open(uri, Codecs.utf8());
                Client direct = Client.builder().endpoints("http://127.0.0.1:" + etcd.port()).build()) {
            other.put("k", "old");
            assertEquals("old", awaitRead(mine, "k", "old"));
            long hits = mine.stats().cacheHits();
            assertEquals("old", mine.get("k"));
            assertTrue(mine.stats().cacheHits() > hits, "the value is cached");

            proxy.refuse(true);
            proxy.cutAll();
            other.put("k", "new");
            other.put("unrelated", "x"); // moves "new" behind the compaction revision
            long revision = direct.getKVClient().get(ByteSequence.from(new byte[] {0})).get(30, TimeUnit.SECONDS)
                    .getHeader().getRevision();
            direct.getKVClient().compact(revision).get(30, TimeUnit.SECONDS);
            proxy.refuse(false);

            assertEquals("new", awaitRead(mine, "k", "new"), "the cache dropped what the compaction hid");
            for (int i = 0; i < 200; i++) {
                assertEquals("new", mine.get("k"), "read " + i + " after the new value was seen");
            }
        }
    }

    @Test
    void theCacheKeepsToItsSize() {
        int size = 50;
        try (PartyMap<String> map = LevelParty.open(etcd.newUri("bound"), relaxed(size))) {
            PartyMap.Batch<String> batch = map.batch();
            for (int i = 0; i < 100; i++) {
                batch.put("k" + i, "v" + i);
            }
            batch.apply();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 100; i++) {
                    assertEquals("v" + i, map.get("k" + i));
                }
            }
            PartyStats stats = awaitAtMost(map, size);
            assertTrue(stats.cacheEvictions() >= 50, stats.toString());
        }
    }

    @Test
    void strictReadsCacheNothingAndSeeAnotherClientsWriteAtOnce() {
        URI uri = etcd.newUri("strict");
        try (PartyMap<String> mine = LevelParty.open(uri, PartyOptions.of(Codecs.utf8()).cacheSize(100));
                PartyMap<String> other = LevelParty.open(uri, Codecs.utf8())) {
            for (int i = 0; i < 20; i++) {
                other.put("k", "v" + i);
                assertEquals("v" + i, mine.get("k"), "a linearizable read after the write returned");
            }
            PartyStats stats = mine.stats();
            assertEquals(0, stats.cacheHits() + stats.cacheEntries(), stats.toString());
        }
    }

    /** Reads {@code key} until it is {@code expected}, within the deadline; returns the last value read. */
    private static String awaitRead(PartyMap<String> map, String key, String expected) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        String value = map.get(key);
        while (!Objects.equals(value, expected) && System.nanoTime() - deadline < 0) {
            EtcdProcess.pollPause();
            value = map.get(key);
        }
        return value;
    }

    /** Waits until the cache holds at most {@code size} entries (Caffeine evicts in the background). */
    private static PartyStats awaitAtMost(PartyMap<String> map, long size) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        PartyStats stats = map.stats();
        while (stats.cacheEntries() > size && System.nanoTime() - deadline < 0) {
            EtcdProcess.pollPause();
            stats = map.stats();
        }
        assertTrue(stats.cacheEntries() <= size, stats.toString());
        return stats;
    }
}
