package io.levelparty.impl;

import io.levelparty.Codec;
import io.levelparty.PartyCodecException;
import java.util.Objects;

/** A user's {@link Codec} with null checks and failures reported as {@link PartyCodecException}. */
final class ValueCodec<V> {
    private final Codec<V> codec;

    ValueCodec(Codec<V> codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
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
        return bytes;
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

    @Override
    public String toString() {
        return codec.toString();
    }
}
