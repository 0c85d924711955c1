package io.levelparty.impl;

import io.levelparty.spi.PartyStore;

/**
 * How the map facade reads one key of a store by the map's own string key: through a follower's
 * cache, which a hit serves without encoding the key or, for a codec of immutable values,
 * decoding the value; or, for a store without one, straight from the store.
 */
interface PointReads {
    /** Returns the cached read of {@code key} if the cache may serve it now, else null. */
    FollowerCache.Entry cached(String key);

    /** Reads {@code bytes}, the UTF-8 of {@code key}, from the store, not from a cache. */
    byte[] fetch(String key, byte[] bytes);

    /** The point reads of a store without a cache. */
    static PointReads of(PartyStore store) {
        return new PointReads() {
            @Override
            public FollowerCache.Entry cached(String key) {
                return null;
            }

            @Override
            public byte[] fetch(String key, byte[] bytes) {
                return store.get(bytes);
            }
        };
    }
}
