package io.levelparty.spi;

/**
 * A {@link PartyStore} that keeps a cache of point reads of its own, by the map's string keys. The
 * map facade over such a store asks {@link #cachedRead} before {@link PartyStore#get}, so that a hit
 * costs neither encoding the key nor, when the store shares decoded values, decoding the value.
 * The store decides what its cache promises (it documents it); the facade over a store that does
 * not implement this interface reads every key from the store.
 */
public interface CachedPointReads {
    /**
     * Returns the cached read of {@code key}, or null on a miss, or whenever the cache may not serve
     * it now: the facade then calls {@link PartyStore#get} with the key's UTF-8 bytes.
     */
    CachedRead cachedRead(String key);

    /**
     * A cached read.
     *
     * @param value the value's bytes, or null for an absent key; the cache's own array, which the
     *     facade never changes nor hands to a caller
     * @param decoded the value as the map's codec decodes it, when the codec's values are immutable
     *     ({@link io.levelparty.Codec#decodesImmutableValues}) and every read may share it; else
     *     null, and each read decodes {@code value} itself
     */
    record CachedRead(byte[] value, Object decoded) {}
}
