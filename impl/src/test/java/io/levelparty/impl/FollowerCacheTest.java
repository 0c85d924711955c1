package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.PartyStats;
import io.levelparty.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The follower cache of {@link Consistency#RELAXED}, with leader and followers in one JVM. */
class FollowerCacheTest {
    private static final PartyOptions<String> RELAXED = PartyOptions.of(Codecs.utf8()).consistency(Consistency.RELAXED);

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @Test
    void aRelaxedFollowerServesRepeatedReadsOfValuesAndAbsencesFromItsCache() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8())) {
            leader.put("k", "v"); // before the follower connects: no change of it is on its way
            PartyMap<String> follower = LevelParty.open(dir, RELAXED);
            assertEquals(Role.FOLLOWER, follower.role());
            for (int i = 0; i < 10; i++) {
                assertEquals("v", follower.get("k"));
                assertNull(follower.get("missing"));
            }
            PartyStats stats = follower.stats();
            assertEquals(2, stats.cacheMisses(), stats.toString());
            assertEquals(18, stats.cacheHits(), stats.toString());
            assertEquals(2, stats.cacheEntries(), stats.toString());
            assertEquals(Role.FOLLOWER, stats.role());
            follower.close();
        }
    }

    @Test
    void aFollowerThatOnlyWritesNeverBuildsItsCache() {
        for (Consistency consistency : Consistency.values()) {
            FollowerCache cache = new FollowerCache(100, consistency, new ValueCodec<>(Codecs.utf8()));
            byte[] key = "k".getBytes(StandardCharsets.UTF_8);
            long ticket = cache.ticket();
            cache.drop(key); // what its own writes do
            if (consistency == Consistency.STRICT) {
                cache.dropStripeOf(key);
            }
            cache.clear();
            assertNull(cache.get("k"));
            assertFalse(cache.built(), consistency + ": built before anything was cached");
            assertEquals(1, cache.stats().missCount());
            assertEquals(0, cache.size());

            cache.fill("k", key, "v".getBytes(StandardCharsets.UTF_8), cache.ticket());
            assertTrue(cache.built());
            assertArrayEquals("v".getBytes(StandardCharsets.UTF_8), cache.get("k").value());
            assertEquals(1, cache.stats().hitCount());
            assertTrue(ticket < cache.ticket(), "the drops before the cache was built counted");
        }
    }

    @Test
    void readsOfACachedStringShareOneDecodedValueUntilTheKeyChanges() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            long hitsBefore = awaitCaching(follower);
            leader.put("k", "v1");
            assertEquals("v1", follower.get("k")); // a miss, which fills the cache
            String hit = follower.get("k");
            assertEquals("v1", hit);
            assertSame(hit, follower.get("k"), "strings are immutable: the cache decodes them once");
            leader.put("k", "v2");
            assertEquals("v2", follower.get("k"));
            assertEquals(2, follower.stats().cacheHits() - hitsBefore, follower.stats().toString());
        }
    }

    @Test
    void everyReadOfACachedByteArrayGetsACopyOfItsOwn() {
        try (PartyMap<byte[]> leader = LevelParty.open(dir, Codecs.bytes());
                PartyMap<byte[]> follower = LevelParty.open(dir, Codecs.bytes())) {
            long hitsBefore = awaitCaching(follower);
            leader.put("k", new byte[] {1, 2, 3});
            byte[] first = follower.get("k");
            first[0] = 9;
            byte[] second = follower.get("k");
            assertArrayEquals(new byte[] {1, 2, 3}, second, "one caller's change reaches no other read");
            assertNotSame(first, second);
            second[1] = 9;
            assertArrayEquals(new byte[] {1, 2, 3}, follower.get("k"));
            assertEquals(2, follower.stats().cacheHits() - hitsBefore, follower.stats().toString());
        }
    }

    @Test
    void aStrictFollowerReadsFromItsCacheAndStillSeesEveryWriteAtOnce() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            awaitCaching(follower);
            for (int i = 0; i < 100; i++) {
                leader.put("k", "v" + i);
                for (int read = 0; read < 5; read++) {
                    assertEquals("v" + i, follower.get("k"), "linearizable: the write before the read is seen");
                }
            }
            PartyStats stats = follower.stats();
            assertTrue(stats.cacheMisses() >= 100, stats.toString()); // each write invalidated the key
            assertTrue(stats.cacheHits() > 0, stats.toString());
        }
    }

    @Test
    void anotherProcesssWriteReachesTheCache() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, RELAXED)) {
            for (int i = 0; i < 200; i++) {
                leader.put("k", "v" + i);
                String expected = "v" + i;
                Poll.until(() -> expected.equals(follower.get("k")), "the follower reads " + expected);
            }
            assertTrue(follower.stats().cacheHits() > 0, follower.stats().toString());
        }
    }

    @Test
    void aFollowerAlwaysReadsItsOwnWrites() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, RELAXED);
                PartyMap<String> other = LevelParty.open(dir, RELAXED)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong foreignAcked = new AtomicLong(-1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread foreign = new Thread(() -> { // keeps the key changing under the follower's cache
                try {
                    for (long i = 0; !stop.get(); i++) {
                        other.put("k", "f" + i);
                        foreignAcked.set(i);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            foreign.start();
            try {
                for (int i = 0; i < 2_000; i++) {
                    follower.get("k"); // fills the cache, often with a value about to change
                    long overwrittenBefore = foreignAcked.get() - 1; // "f" values up to this were overwritten
                    follower.put("k", "mine" + i);
                    String read = follower.get("k");
                    if (read.startsWith("f")) {
                        long n = Long.parseLong(read.substring(1));
                        assertTrue(n > overwrittenBefore, "read " + read + ", overwritten before this process's "
                                + "write of mine" + i + " began");
                    } else {
                        assertEquals("mine" + i, read);
                    }
                    follower.put("own" + (i % 10), "mine" + i);
                    assertEquals("mine" + i, follower.get("own" + (i % 10)), "read-your-writes");
                }
                assertTrue(follower.stats().cacheHits() > 0, follower.stats().toString());
            } finally {
                stop.set(true);
            }
            Poll.until(() -> !foreign.isAlive(), "the foreign writer stops");
            assertNull(failure.get());
        }
    }

    @Test
    void theCacheStartsEmptyAfterAFailover() {
        PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
        try (PartyMap<String> follower = LevelParty.open(dir, RELAXED);
                PartyMap<String> other = LevelParty.open(dir, Codecs.utf8())) {
            leader.put("k", "before");
            assertEquals("before", follower.get("k"));
            assertEquals("before", follower.get("k"));
            leader.close();
            other.put("k", "after"); // whichever process leads now
            Poll.until(() -> "after".equals(follower.get("k")), "the follower reads the write made after the failover");
            follower.put("mine", "1");
            assertEquals("1", follower.get("mine"));
        } finally {
            leader.close();
        }
    }

    /**
     * Waits until {@code follower} serves reads from its cache, which it does once its lease,
     * taken in the background after it opens, is bound; returns its cache hits so far.
     */
    /**
     * Under STRICT, caching a key makes every write of it wait for this follower: a key written
     * after every read stops being cached (its reads cost what an uncached follower's do, and its
     * writes no longer wait), and is tried again after some reads.
     */
    @Test
    void aStrictFollowerStopsCachingWhatIsWrittenAfterEveryRead() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            awaitCaching(follower);
            for (int round = 0; round < FollowerCache.WASTED_TO_SKIP; round++) {
                assertEquals(round == 0 ? null : "v" + (round - 1), follower.get("cold"));
                leader.put("cold", "v" + round);
            }
            long hits = follower.stats().cacheHits();
            for (int i = 0; i < 2; i++) {
                assertEquals("v" + (FollowerCache.WASTED_TO_SKIP - 1), follower.get("cold"));
            }
            assertEquals(hits, follower.stats().cacheHits(), "a key invalidated after each read was cached again at once");
            Poll.until(() -> {
                follower.get("cold");
                return follower.stats().cacheHits() > hits;
            }, "the key to be cached again after the reads skipped");
        }
    }

    /**
     * A STRICT follower starts its cache's lease at its first read, and that read may come from a
     * thread whose interrupt flag is set: it gets its value and keeps its flag, and the cache then
     * serves reads and sees every write, as if the first read had not been interrupted.
     */
    @Test
    void aFirstReadByAnInterruptedThreadStartsTheCacheAsAnyOther() throws InterruptedException {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            leader.put("k", "v0");
            AtomicReference<String> read = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt();
                read.set(follower.get("k"));
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            reader.start();
            reader.join();
            assertEquals("v0", read.get());
            assertTrue(stillInterrupted.get(), "the reader's interrupt flag is kept");
            awaitCaching(follower);
            for (int i = 1; i <= 50; i++) {
                leader.put("k", "v" + i);
                assertEquals("v" + i, follower.get("k"), "linearizable: the write before the read is seen");
                assertEquals("v" + i, follower.get("k"), "linearizable: the write before the read is seen");
            }
        }
    }

    static long awaitCaching(PartyMap<?> follower) {
        Poll.until(() -> {
            follower.get("probe");
            return follower.stats().cacheHits() > 0;
        }, "the follower's cache serves reads");
        return follower.stats().cacheHits();
    }
}
