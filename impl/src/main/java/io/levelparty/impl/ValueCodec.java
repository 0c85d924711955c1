package io.levelparty.impl;

import io.levelparty.Codec;
import io.levelparty.Codecs;
import io.levelparty.PartyCodecException;
import java.util.Objects;

/** A user's {@link Codec} with null checks and failures reported as {@link PartyCodecException}. */
final class ValueCodec<V> {
    private final Codec<V> codec;
    /** Whether one decoded value may serve every read ({@link Codec#decodesImmutableValues}). */
    private final boolean shared;
    /**
     * Whether the codec copies the bytes it decodes, so that it may be given a cached array itself:
     * true of {@link Codecs#bytes()}, whose values are those copies. A codec of a user's own may
     * keep the array it is given (a value wrapping it), so it gets a copy.
     */
    private final boolean decodeCopies;

    ValueCodec(Codec<V> codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.shared = codec.decodesImmutableValues();
        this.decodeCopies = codec == Codecs.bytes();
    }

    /** Whether reads of a cached value may share one decoded value. */
    boolean sharesDecodedValues() {
        return shared;
    }

    /** Returns the bytes of {@code value}; {@code key} only names the entry in a failure. */
    byte[] encode(Object key, V value) {
        Objects.requireNonNull(value, "value");
        byte[] bytes;
        try {
            bytes = codec.encode(value);
        } catch (RuntimeException e) {
            throw new PartyCodecException(codec + " could not encode the value for key \"" + key + "\": " + e.getMessage(), e);
        }
        if (bytes == null) {
            throw new PartyCodecException(codec + " encoded the value for key \"" + key + "\" as null", null);
        }
        if (bytes.length > Protocol.MAX_VALUE_BYTES) {
            // Refused in every process alike, leader or follower: a value that a follower could not
            // send in a compare-and-set, or read back, must not be written by the leader either.
            throw new IllegalArgumentException("The value for key \"" + key + "\" encodes to " + bytes.length
                    + " bytes; a value may have at most " + Protocol.MAX_VALUE_BYTES + " bytes");
        }
        return bytes;
    }

    /**
     * Returns the previous value a write replaced, {@code bytes}, decoded, or null if there was
     * none. The write was applied whatever happens here, and a failure to decode says so.
     */
    V decodePrevious(Object key, byte[] bytes) {
        try {
            return decode(key, bytes);
        } catch (PartyCodecException e) {
            PartyCodecException applied = new PartyCodecException("The write of key \"" + key + "\" was applied, "
                    + "but the value it replaced cannot be returned: " + e.getMessage(), e.getCause());
            applied.addSuppressed(e);
            throw applied;
        }
    }

    /** Returns the value of {@code bytes}, or null if {@code bytes} is null. */
    V decode(Object key, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        V value;
        try {
            value = codec.decode(bytes);
        } catch (RuntimeException e) {
            throw new PartyCodecException(codec + " could not decode the value of key \"" + key + "\": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new PartyCodecException(codec + " decoded the value of key \"" + key + "\" as null", null);
        }
        return value;
    }

    /**
     * Returns the value of a cached read, or null if it is of an absent key: the shared decoded
     * value if there is one, else a value of the caller's own, which cannot reach the cache's bytes.
     */
    @SuppressWarnings("unchecked") // the cache of a map holds what that map's codec decoded
    V decode(Object key, FollowerCache.Entry cached) {
        Object decoded = cached.decoded();
        if (decoded != null) {
            return (V) decoded;
        }
        byte[] bytes = cached.value();
        return bytes == null ? null : decode(key, decodeCopies ? bytes : bytes.clone());
    }

    @Override
    public String toString() {
        return codec.toString();
    }
}
