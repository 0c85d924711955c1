package io.levelparty.impl;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.levelparty.Consistency;
import java.nio.ByteBuffer;

/**
 * A follower's cache of point reads: values and absences, by key, in Caffeine, bounded by size.
 * One per map, shared by its terms and emptied at each change of term.
 *
 * <p>Correctness rests on one rule. A key is dropped whenever the leader invalidates it (under
 * {@link Consistency#STRICT}, before the write, see {@link CacheLease}) or pushes a change to it
 * (under {@link Consistency#RELAXED}, after), whenever this process writes it, and everything is
 * dropped when invalidations may have been lost; and a
 * read result is cached only if nothing dropped its key between the moment its request was about
 * to be sent ({@link #ticket()}) and the moment it is offered ({@link #fill}). So a result that a
 * change overtook is never planted after the change's drop, whichever thread saw what first.
 * The drops since a ticket are found in a ring of the last {@link #RECENT} dropped keys; a
 * ticket older than that caches nothing. Pushed changes only drop keys, never set them: a push
 * can arrive after this process's own later write, and must not bring an older value back.
 */
final class FollowerCache {
    /** How many drops a read may overlap and still have its result cached. */
    private static final int RECENT = 1024;

    /** A cached read: the value, or null for an absent key. */
    record Entry(byte[] value) {}

    private final Consistency consistency;
    private final Cache<ByteBuffer, Entry> cache;
    private final StatsCounter counts = new ConcurrentStatsCounter();
    private final Object lock = new Object();
    /** The last dropped keys, by drop number modulo RECENT. Guarded by lock. */
    private final ByteBuffer[] recent = new ByteBuffer[RECENT];
    /** How many keys were dropped so far, counting a clear as RECENT. Guarded by lock. */
    private long drops;

    FollowerCache(long maximumSize, Consistency consistency) {
        this.consistency = consistency;
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).recordStats(() -> counts).build();
    }

    /** How this cache is kept correct: by leases and invalidations before writes, or by pushes after them. */
    Consistency consistency() {
        return consistency;
    }

    /** Returns the cached read of {@code key}, or null on a miss. */
    Entry get(byte[] key) {
        return cache.getIfPresent(ByteBuffer.wrap(key));
    }

    /** Counts a read that could not use the cache (its lease was not fresh) as a miss; returns null. */
    Entry missed() {
        counts.recordMisses(1);
        return null;
    }

    /** Returns the ticket a read takes just before its request is sent. */
    long ticket() {
        synchronized (lock) {
            return drops;
        }
    }

    /** Caches {@code value} (null: absent) as the read of {@code key}, unless a drop of the key came after {@code ticket}. */
    void fill(byte[] key, byte[] value, long ticket) {
        ByteBuffer k = ByteBuffer.wrap(key.clone());
        synchronized (lock) {
            if (drops - ticket > RECENT) {
                return;
            }
            for (long d = ticket; d < drops; d++) {
                if (k.equals(recent[(int) (d % RECENT)])) {
                    return;
                }
            }
            cache.put(k, new Entry(value == null ? null : value.clone()));
        }
    }

    /** Drops {@code key}: it changed, or is about to. */
    void drop(byte[] key) {
        ByteBuffer k = ByteBuffer.wrap(key.clone());
        synchronized (lock) {
            cache.invalidate(k);
            recent[(int) (drops++ % RECENT)] = k;
        }
    }

    /** Drops everything: pushes may have been lost, or the term changed. */
    void clear() {
        synchronized (lock) {
            cache.invalidateAll();
            drops += RECENT + 1; // no read in flight may fill
        }
    }

    CacheStats stats() {
        return cache.stats();
    }

    long size() {
        return cache.estimatedSize();
    }
}
