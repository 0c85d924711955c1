package io.levelparty.impl;

import io.levelparty.spi.CachedPointReads;
import io.levelparty.spi.PartyStore;

/**
 * How the map facade reads one key of a store by the map's own string key: through a follower's
 * cache, or the cache of a store that keeps one ({@link CachedPointReads}), which a hit serves
 * without encoding the key or, for a codec of immutable values, decoding the value; or, for a
 * store without one, straight from the store.
 */
interface PointReads {
    /** Returns the cached read of {@code key} if the cache may serve it now, else null. */
    FollowerCache.Entry cached(String key);

    /** Reads {@code bytes}, the UTF-8 of {@code key}, from the store, not from a cache. */
    byte[] fetch(String key, byte[] bytes);

    /** The point reads of {@code store}: through its own cache if it keeps one, else straight from it. */
    static PointReads of(PartyStore store) {
        CachedPointReads cache = store instanceof CachedPointReads own ? own : key -> null;
        return new PointReads() {
            @Override
            public FollowerCache.Entry cached(String key) {
                CachedPointReads.CachedRead hit = cache.cachedRead(key);
                return hit == null ? null : new FollowerCache.Entry(hit.value(), hit.decoded(), -1);
            }

            @Override
            public byte[] fetch(String key, byte[] bytes) {
                return store.get(bytes);
            }
        };
    }
}
