package io.levelparty.impl;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.levelparty.Consistency;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A follower's cache of point reads: values and absences, by key, in Caffeine, bounded by size.
 * One per map, shared by its terms and emptied at each change of term.
 *
 * <p>Correctness rests on one rule. A key is dropped whenever the leader invalidates it (under
 * {@link Consistency#STRICT}, before the write, see {@link FollowerSideLease}) or pushes a change to it
 * (under {@link Consistency#RELAXED}, after), whenever this process writes it, and everything is
 * dropped when invalidations may have been lost; and a
 * read result is cached only if nothing dropped its key between the moment its request was about
 * to be sent ({@link #ticket()}) and the moment it is offered ({@link #fill}). So a result that a
 * change overtook is never planted after the change's drop, whichever thread saw what first.
 * The drops since a ticket are found in a ring of the {@linkplain CacheCoherence#stripeOf stripes}
 * of the last {@link #RECENT} drops, and a drop of any key of the stripe counts (a stripe holds few
 * cached keys, so this costs few fills); a ticket older than that caches nothing. Pushed changes
 * only drop keys, never set them: a push can arrive after this process's own later write, and
 * must not bring an older value back.
 *
 * <p>Under {@link Consistency#STRICT}, an INVALIDATE drops every cached key of the stripes of the
 * keys it names ({@link #dropStripeOf}), which lets the leader forget that this follower holds
 * anything of those stripes once it has acknowledged (see {@link CacheCoherence}). For that the
 * cache indexes its keys by stripe: the index holds every cached key, and also keys evicted since,
 * until a drop of their stripe or a {@linkplain #prune() prune} removes them.
 *
 * <p>Keys are the map's own strings, so that a hit neither encodes the key nor hashes bytes. The
 * leader and the stores name keys by their UTF-8 bytes; {@link Keys#decode} turns those back into
 * the string whose bytes they are (every key a map reads or writes is valid UTF-8, and a byte key
 * that is not can only make a drop remove a key it did not name, never keep one). When the map's
 * codec decodes immutable values ({@link io.levelparty.Codec#decodesImmutableValues}), an entry
 * also holds the value decoded once, which every reader then shares.
 *
 * <p>Under {@link Consistency#STRICT} caching has a price: each write of a key of a stripe this
 * follower caches waits for its acknowledgement of an INVALIDATE, a round trip, and a write-heavy
 * load over many keys pays it on nearly every write for nearly no hits (it halved a 4 × 16 mixed
 * load). So the cache stops caching the stripes where it does not pay ({@link #willCache}): a
 * stripe whose last {@value #WASTED_TO_SKIP} invalidations came without a hit in between has its
 * next reads sent as reads that will not be cached, which the leader does not record, so writes
 * of the stripe stop waiting for this follower; the number of reads skipped doubles with each
 * further invalidation without a hit, up to {@value #MAX_SKIP}, and a hit resets it. Keys read
 * more often than written keep their place; the others cost what an uncached follower pays.
 *
 * <p>A stripe learns that way only from its own reads, a few a second each under a load spread
 * over many keys, far too slowly for such a load, whose reads seldom repeat before the next write.
 * So while the invalidations of the whole cache recently came without hits more often than with
 * (a score, {@link #waste}), a read is cached only if its key was read lately ({@link #rememberRead}):
 * keys read once, then written, stop costing writers a round trip at once. With no writes, or
 * writes that reads pay for, every read is cached.
 */
final class FollowerCache {
    /** How many drops a read may overlap and still have its result cached. */
    private static final int RECENT = 1024;
    /** How many invalidations of a stripe in a row, with no hit between, stop it being cached. */
    static final int WASTED_TO_SKIP = 2;
    /** The most reads of a stripe sent uncached before one is cached again, to see if it now pays. */
    static final int MAX_SKIP = 1 << 10;
    /** How many bits remember the keys read lately; two per key. */
    private static final int DOORKEEPER_BITS = 1 << 16;
    /** After how many keys remembered the doorkeeper forgets them all, so that about one key in 70 is taken for one read lately. */
    private static final int DOORKEEPER_KEYS = 1 << 12;
    /** The most {@link #waste} counts: as many paid invalidations in a row bring it back to nothing. */
    private static final int MAX_WASTE = 64;

    /**
     * A cached read: {@code value} is the value's bytes, or null for an absent key, and no caller
     * ever gets this array itself; {@code decoded} is the value as the map's codec decodes it, if
     * its values are shared, else null; {@code stripe} is the key's stripe, or -1 for a read that
     * another store's cache served ({@link PointReads}).
     */
    record Entry(byte[] value, Object decoded, int stripe) {}

    private final Consistency consistency;
    /** Decodes values once for every reader, or null if the map's values are not shared. */
    private final ValueCodec<?> shared;
    private final long maximumSize;
    /**
     * Null until the first fill: building a Caffeine cache loads some hundred classes, 50 ms of a
     * cold follower's start, which a follower that only writes never needs. Set under lock.
     */
    private volatile Cache<String, Entry> cache;
    private final StatsCounter counts = new ConcurrentStatsCounter();
    private final Object lock = new Object();
    /** The stripes of the last drops, by drop number modulo RECENT. Guarded by lock. */
    private final int[] recent = new int[RECENT];
    /**
     * How many keys were dropped so far, counting a clear as RECENT. Written under lock; read
     * without it by {@link #ticket()}, which needs only a count no older than the call.
     */
    private volatile long drops;
    /** Under STRICT, the keys cached (or evicted since) by stripe, null for none; null otherwise. Guarded by lock. */
    private final Set<String>[] byStripe;
    /** How many keys byStripe holds. Guarded by lock. */
    private long indexed;
    /** How many keys byStripe may hold before the evicted ones are pruned. */
    private final long pruneAbove;
    /**
     * Under STRICT, by stripe: whether a hit came since the last invalidation (written by readers
     * without the lock: a hit seen late only delays a stripe's verdict), how many invalidations
     * in a row came without one (under lock), and how many more reads are not to be cached (set
     * under lock, counted down by readers without it). Null otherwise.
     */
    private final byte[] hitSinceInvalidation;
    private final byte[] wasted;
    private final short[] skip;
    /**
     * Under STRICT, the bits of the keys read lately (two per key), null otherwise; and how many
     * keys set them since they were last cleared. Read and written by readers without a lock.
     */
    private final long[] doorkeeper;
    private int doorkeeperKeys;
    /**
     * Invalidations that came without a hit since the one before, less those that came after one,
     * within [0, {@value #MAX_WASTE}]: while it is positive, only keys read lately are cached.
     * Written under lock.
     */
    private volatile int waste;

    /**
     * @param values the map's codec: when it decodes immutable values, entries hold the decoded
     *     value too
     */
    FollowerCache(long maximumSize, Consistency consistency, ValueCodec<?> values) {
        this.consistency = consistency;
        this.shared = values.sharesDecodedValues() ? values : null;
        this.maximumSize = maximumSize;
        boolean strict = consistency == Consistency.STRICT;
        this.byStripe = strict ? newIndex() : null;
        this.pruneAbove = 2 * maximumSize + RECENT;
        this.hitSinceInvalidation = strict ? new byte[CacheCoherence.STRIPES] : null;
        this.wasted = strict ? new byte[CacheCoherence.STRIPES] : null;
        this.skip = strict ? new short[CacheCoherence.STRIPES] : null;
        this.doorkeeper = strict ? new long[DOORKEEPER_BITS / Long.SIZE] : null;
    }

    @SuppressWarnings("unchecked")
    private static Set<String>[] newIndex() {
        return (Set<String>[]) new Set<?>[CacheCoherence.STRIPES];
    }

    /** How this cache is kept correct: by leases and invalidations before writes, or by pushes after them. */
    Consistency consistency() {
        return consistency;
    }

    /** Returns the cached read of {@code key}, or null on a miss. */
    Entry get(String key) {
        Cache<String, Entry> cache = this.cache;
        if (cache == null) {
            return missed();
        }
        Entry hit = cache.getIfPresent(key);
        if (hit != null && hitSinceInvalidation != null) {
            hitSinceInvalidation[hit.stripe()] = 1;
        }
        return hit;
    }

    /**
     * Returns whether a read of the key whose UTF-8 bytes are {@code key}, which missed, is to be
     * cached: false while its stripe does not pay for caching (see the class comment). A read this
     * returns false for must not be {@linkplain #fill filled}, and is sent as one the leader does
     * not record.
     */
    boolean willCache(byte[] key) {
        if (skip == null) {
            return true;
        }
        // Without the lock, which every read, fill and drop would otherwise contend for (the lease
        // thread's drops among them, which writers wait for): the verdict only decides whether a
        // read is cached, and races between readers only make it skip or cache a read more or less.
        int stripe = CacheCoherence.stripeOf(key);
        boolean readLately = rememberRead(key); // always, so that the doorkeeper knows the reads before it is needed
        int skipping = skip[stripe];
        if (skipping > 0) {
            skip[stripe] = (short) (skipping - 1);
            return false;
        }
        return waste == 0 || readLately;
    }

    /**
     * Returns whether {@code key} was read lately, and remembers that it was read now. Racy
     * between readers: a key forgotten, or taken for another, only changes whether a read is cached.
     */
    private boolean rememberRead(byte[] key) {
        int h = Arrays.hashCode(key) * 0x9E3779B9; // spreads the bits of keys that differ in their last bytes
        int first = (h ^ (h >>> 15)) & (DOORKEEPER_BITS - 1);
        int second = (h >>> 16) & (DOORKEEPER_BITS - 1);
        if (isSet(first) && isSet(second)) {
            return true;
        }
        if (++doorkeeperKeys > DOORKEEPER_KEYS) {
            Arrays.fill(doorkeeper, 0);
            doorkeeperKeys = 1;
        }
        doorkeeper[first >>> 6] |= 1L << first;
        doorkeeper[second >>> 6] |= 1L << second;
        return false;
    }

    private boolean isSet(int bit) {
        return (doorkeeper[bit >>> 6] & (1L << bit)) != 0;
    }

    /** Counts a read that could not use the cache (its lease was not fresh) as a miss; returns null. */
    Entry missed() {
        counts.recordMisses(1);
        return null;
    }

    /**
     * Returns the ticket a read takes just before its request is sent. Without the lock: a drop
     * that is counted (under the lock, after its keys left the cache) either is in the count read
     * here, so it came before the request and cannot have overtaken its reply, or is after it, and
     * {@link #fill} sees it.
     */
    long ticket() {
        return drops;
    }

    /**
     * Caches {@code value} (null: absent) as the read of {@code key}, whose UTF-8 bytes are
     * {@code keyBytes}, unless a drop of a key of its stripe came after {@code ticket}. The value
     * is copied: the caller keeps {@code value}.
     */
    void fill(String key, byte[] keyBytes, byte[] value, long ticket) {
        int stripe = CacheCoherence.stripeOf(keyBytes);
        Entry entry = value == null ? new Entry(null, null, stripe)
                : new Entry(value.clone(), decodeShared(key, value), stripe);
        synchronized (lock) {
            if (drops - ticket > RECENT) {
                return;
            }
            for (long d = ticket; d < drops; d++) {
                if (recent[(int) (d % RECENT)] == stripe) {
                    return;
                }
            }
            if (cache == null) {
                // Maintenance (eviction, buffer draining) runs on the thread that caused it, under
                // this lock, rather than waking a pool thread after every fill and drop: on a small
                // machine that wake-up delays the lease thread acknowledging an invalidation.
                cache = Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run)
                        .recordStats(() -> counts).build();
            }
            if (byStripe != null) {
                index(stripe, key);
            }
            cache.put(key, entry);
        }
    }

    /** Adds {@code key} to the index of {@code stripe}, pruning the index if it grew too large. Under lock. */
    private void index(int stripe, String key) {
        Set<String> keys = byStripe[stripe];
        if (keys == null) {
            keys = new HashSet<>(4);
            byStripe[stripe] = keys;
        }
        if (keys.add(key) && ++indexed > pruneAbove) {
            prune();
        }
    }

    /**
     * Removes evicted keys from the index. Under lock, where nothing enters the cache: a key
     * absent from it now stays absent until a fill indexes it again.
     */
    private void prune() {
        Map<String, Entry> present = cache.asMap(); // its lookups count no hits or misses
        indexed = 0;
        for (int stripe = 0; stripe < byStripe.length; stripe++) {
            Set<String> keys = byStripe[stripe];
            if (keys != null) {
                keys.removeIf(key -> !present.containsKey(key));
                indexed += keys.size();
                if (keys.isEmpty()) {
                    byStripe[stripe] = null;
                }
            }
        }
    }

    /**
     * Returns {@code value} decoded for every reader, or null if values are not shared or this one
     * does not decode: each reader then decodes it, and sees the codec's failure.
     */
    private Object decodeShared(String key, byte[] value) {
        if (shared == null) {
            return null;
        }
        try {
            return shared.decode(key, value.clone()); // the codec may keep the array it is given
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Drops the key whose UTF-8 bytes are {@code key}: it changed, or is about to. */
    void drop(byte[] key) {
        String k = Keys.decode(key);
        int stripe = CacheCoherence.stripeOf(key);
        synchronized (lock) {
            if (cache != null) {
                cache.invalidate(k);
            }
            if (byStripe != null && byStripe[stripe] != null && byStripe[stripe].remove(k)) {
                indexed--;
            }
            recent[(int) (drops++ % RECENT)] = stripe;
        }
    }

    /**
     * Drops every cached key of the stripe of the key whose UTF-8 bytes are {@code key}, which is
     * about to be written: an INVALIDATE of a {@link Consistency#STRICT} cache.
     */
    void dropStripeOf(byte[] key) {
        int stripe = CacheCoherence.stripeOf(key);
        synchronized (lock) {
            Set<String> keys = byStripe[stripe];
            if (keys != null) {
                cache.invalidateAll(keys); // a key indexed was filled, so the cache is there
                indexed -= keys.size();
                byStripe[stripe] = null;
            }
            recent[(int) (drops++ % RECENT)] = stripe;
            judge(stripe);
        }
    }

    /** Counts an invalidation of {@code stripe}, which made a writer wait for this follower. Under lock. */
    private void judge(int stripe) {
        if (hitSinceInvalidation[stripe] != 0) {
            hitSinceInvalidation[stripe] = 0;
            wasted[stripe] = 0;
            waste = Math.max(waste - 1, 0);
            return;
        }
        waste = Math.min(waste + 1, MAX_WASTE);
        if (wasted[stripe] < Byte.MAX_VALUE && ++wasted[stripe] >= WASTED_TO_SKIP) {
            int doublings = Math.min(wasted[stripe] - WASTED_TO_SKIP + 1, Integer.numberOfTrailingZeros(MAX_SKIP));
            skip[stripe] = (short) (1 << doublings);
        }
    }

    /** Drops everything: pushes may have been lost, or the term changed. */
    void clear() {
        synchronized (lock) {
            if (cache != null) {
                cache.invalidateAll();
            }
            if (byStripe != null) {
                Arrays.fill(byStripe, null);
                indexed = 0;
            }
            drops += RECENT + 1; // no read in flight may fill
        }
    }

    CacheStats stats() {
        return counts.snapshot();
    }

    /** Returns whether the Caffeine cache behind this one has been built: not before the first fill. */
    boolean built() {
        return cache != null;
    }

    long size() {
        Cache<String, Entry> cache = this.cache;
        return cache == null ? 0 : cache.estimatedSize();
    }
}
