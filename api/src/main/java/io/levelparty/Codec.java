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
}
