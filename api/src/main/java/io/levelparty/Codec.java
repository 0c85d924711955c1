package io.levelparty;

/**
 * Converts map values to and from the bytes stored in LevelDB.
 *
 * <p>Implementations must be thread-safe and deterministic: equal values must encode to equal
 * bytes, because atomic operations such as {@link java.util.concurrent.ConcurrentMap#replace(Object,
 * Object, Object)} compare encoded bytes at the leader. Every process opening a directory must use a
 * codec that reads what the others write.
 *
 * <p>A codec signals a value it cannot handle by throwing any {@link RuntimeException}; the map
 * reports it as a {@link PartyCodecException} and writes nothing.
 *
 * @param <V> the value type
 * @see Codecs
 */
public interface Codec<V> {
    /** Returns the bytes that represent {@code value}, which is never {@code null}. */
    byte[] encode(V value);

    /** Returns the value that {@code bytes} represent; {@code bytes} came from {@link #encode}. */
    V decode(byte[] bytes);

    /**
     * Returns whether the values this codec decodes are immutable, so that one decoded value may be
     * shared: a follower then decodes each value it caches once and hands that same instance to
     * every read of it, instead of decoding it again for each read. Return {@code true} only if
     * nobody can change a decoded value (as with {@link String}): a change made by one caller
     * would otherwise be seen by every other. The map asks once, when it opens.
     *
     * @return {@code false} by default: every read gets a value of its own
     */
    default boolean decodesImmutableValues() {
        return false;
    }
}
