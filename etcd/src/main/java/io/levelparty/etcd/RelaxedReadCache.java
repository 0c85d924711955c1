package io.levelparty.etcd;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.levelparty.Change;
import io.levelparty.Codec;
import io.levelparty.spi.CachedPointReads;
import io.levelparty.spi.ChangeListener;
import io.levelparty.spi.StoreWrite;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The point reads of a {@link io.levelparty.Consistency#RELAXED} {@link EtcdStore}: values and
 * absences by map key, in Caffeine, bounded by the map's cache size, kept current by a
 * {@link WatchFeed} of the map's keys (the same watch a subscription has) and by this process's own
 * writes.
 *
 * <p>Every entry carries the etcd revision as of which its value is known to be current: the
 * header revision of the linearizable read that fetched it, the revision of this process's write
 * that wrote it, or the revision of the watched change that set it. Correctness rests on three
 * rules.
 * <ol>
 *   <li><b>Newer knowledge wins.</b> A value replaces an entry only if it is known as of a later
 *       revision than the entry. A watched change older than a write this process made, or a read
 *       that was overtaken by a watched change, never brings an older value back; so once this
 *       process has read or written a value, the cache never serves an older one (read-your-writes,
 *       and monotonic reads).
 *   <li><b>No absent key misses a change.</b> A watched change updates only keys in the cache (the
 *       cache holds what this process reads and writes, not the whole map). A value for a key the
 *       cache does not hold, known as of revision {@code r}, is cached only if no change of that key
 *       after {@code r} has been seen: the last {@value #RECENT} changes seen (watched or written)
 *       are kept in a ring, and a value older than the ring's memory ({@code floor}) is not cached.
 *       So a change that went by while its key was not cached (or was evicted) is never undone by a
 *       slower read.
 *   <li><b>A lost watch empties the cache.</b> When the watch ends ({@link WatchFeed.Health#lost}),
 *       the cache is cleared and serves nothing, and caches nothing, until the next watch is
 *       created; then it caches only values known as of its start revision or later, whose later
 *       changes that watch will deliver.
 * </ol>
 * Mutations run under one lock, so each rule's check and the change it guards are atomic; reads
 * of the cache take no lock.
 *
 * <p>When the map's codec decodes immutable values ({@link Codec#decodesImmutableValues}), an
 * entry also holds its value decoded once, which every read then shares.
 */
final class RelaxedReadCache implements ChangeListener, WatchFeed.Health, CachedPointReads {
    /** How many recent changes the ring remembers. */
    static final int RECENT = 1024;
    private static final CachedRead ABSENT = new CachedRead(null, null);

    /** A cached read known as of {@code revision}. */
    private record Entry(CachedRead read, long revision) {}

    private final Cache<String, Entry> cache;
    private final StatsCounter counts = new ConcurrentStatsCounter();
    /** The codec whose decoded values every read shares, or null. */
    private final Codec<?> shared;
    private final Object lock = new Object();
    /** The keys of the last RECENT changes seen, by number modulo RECENT. Guarded by lock. */
    private final String[] recentKeys = new String[RECENT];
    /** Their revisions. Guarded by lock. */
    private final long[] recentRevisions = new long[RECENT];
    /** How many changes were seen. Guarded by lock. */
    private long seen;
    /** Values known as of an earlier revision than this are not cached for absent keys. Guarded by lock. */
    private long floor = Long.MAX_VALUE;
    /** Whether a watch is in place, so the cache may serve. */
    private volatile boolean live;

    RelaxedReadCache(long maximumSize, Codec<?> codec) {
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).recordStats(() -> counts).build();
        this.shared = codec.decodesImmutableValues() ? codec : null;
    }

    /** Returns the cached read of {@code key}, or null on a miss or while no watch is in place. */
    @Override
    public CachedRead cachedRead(String key) {
        if (!live) {
            counts.recordMisses(1);
            return null;
        }
        Entry e = cache.getIfPresent(key);
        return e == null ? null : e.read();
    }

    /**
     * Offers {@code value} (null: absent), the value of the key whose UTF-8 bytes are
     * {@code key} as of {@code revision}: read by a linearizable get, or written by this process.
     * {@code written} says which; a write is also remembered as a change seen.
     */
    void offer(byte[] key, byte[] value, long revision, boolean written) {
        String k = new String(key, StandardCharsets.UTF_8);
        CachedRead read = readOf(value);
        synchronized (lock) {
            if (written) {
                remember(k, revision);
            }
            Entry old = cache.asMap().get(k); // counts no hit or miss
            if (old != null) {
                if (revision > old.revision()) {
                    cache.put(k, new Entry(read, revision));
                }
            } else if (live && !changedAfter(k, revision)) {
                cache.put(k, new Entry(read, revision));
            }
        }
    }

    /** Whether the key may have changed after {@code revision} without its entry knowing. Under lock. */
    private boolean changedAfter(String key, long revision) {
        if (revision < floor) {
            return true;
        }
        long first = Math.max(0, seen - RECENT);
        for (long n = first; n < seen; n++) {
            int slot = (int) (n % RECENT);
            if (recentRevisions[slot] > revision && key.equals(recentKeys[slot])) {
                return true;
            }
        }
        return false;
    }

    /** Adds a change of {@code key} at {@code revision} to the ring, raising the floor past what it forgets. Under lock. */
    private void remember(String key, long revision) {
        int slot = (int) (seen % RECENT);
        if (seen >= RECENT) {
            floor = Math.max(floor, recentRevisions[slot] + 1);
        }
        recentKeys[slot] = key;
        recentRevisions[slot] = revision;
        seen++;
    }

    @Override
    public void onChanges(long revision, List<StoreWrite> writes) {
        synchronized (lock) {
            for (StoreWrite write : writes) {
                String k = new String(write.key(), StandardCharsets.UTF_8);
                remember(k, revision);
                Entry old = cache.asMap().get(k);
                if (old != null && revision > old.revision()) {
                    cache.put(k, new Entry(readOf(write.value()), revision));
                }
            }
        }
    }

    @Override
    public void onGap(Change.GapReason reason) {
        lost(); // the feed reports the loss first; a gap changes nothing more
    }

    @Override
    public void live(long fromRevision) {
        synchronized (lock) {
            // The watch delivers every change from fromRevision on: values known as of the
            // revision before it are safe to cache.
            floor = fromRevision - 1;
            live = true;
        }
    }

    @Override
    public void lost() {
        synchronized (lock) {
            // Not live before the clear: a read that sees live after this sees the cleared cache.
            live = false;
            floor = Long.MAX_VALUE;
            cache.invalidateAll();
        }
    }

    private CachedRead readOf(byte[] value) {
        if (value == null) {
            return ABSENT;
        }
        return new CachedRead(value.clone(), decodeShared(value)); // the caller keeps value
    }

    /**
     * Returns {@code value} decoded for every reader, or null if values are not shared or this one
     * does not decode: each reader then decodes it itself, and sees the codec's failure.
     */
    private Object decodeShared(byte[] value) {
        if (shared == null) {
            return null;
        }
        try {
            return shared.decode(value.clone()); // the codec may keep the array it is given
        } catch (RuntimeException e) {
            return null;
        }
    }

    CacheStats stats() {
        return cache.stats();
    }

    long size() {
        return cache.estimatedSize();
    }
}
