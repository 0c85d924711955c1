package io.levelparty;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** The built-in {@link Codec}s. */
public final class Codecs {
    private Codecs() {}

    /**
     * Returns a codec of strings as UTF-8. Strings with unpaired surrogates cannot be represented in
     * UTF-8 and are rejected rather than silently replaced. Strings are immutable, so reads of a
     * cached value share one string ({@link Codec#decodesImmutableValues}).
     */
    public static Codec<String> utf8() {
        return Utf8Codec.INSTANCE;
    }

    /**
     * Returns a codec that stores byte arrays as they are. Arrays are copied both ways, and, as with
     * any array, {@code equals} on them is identity: use {@link java.util.Arrays#equals} on values read.
     */
    public static Codec<byte[]> bytes() {
        return BytesCodec.INSTANCE;
    }

    /**
     * Returns a codec of JSON text in UTF-8, mapping it to and from {@code type} (records, beans,
     * boxed primitives, strings, lists and maps). Values written by Node.js {@code level} with
     * {@code valueEncoding: 'json'} read back, and the other way round.
     *
     * @throws IllegalStateException if no implementation is on the class path
     */
    public static <T> Codec<T> json(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return LevelParty.provider().jsonCodec(type);
    }

    private enum Utf8Codec implements Codec<String> {
        INSTANCE;

        @Override
        public byte[] encode(String value) {
            for (int i = 0; i < value.length(); i++) {
                if (Character.isSurrogate(value.charAt(i))) {
                    return encodeCheckingSurrogates(value);
                }
            }
            return value.getBytes(StandardCharsets.UTF_8); // fast path: nothing to check
        }

        private static byte[] encodeCheckingSurrogates(String value) {
            try {
                ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .encode(CharBuffer.wrap(value));
                return Arrays.copyOf(encoded.array(), encoded.limit());
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("value has an unpaired surrogate and cannot be stored as UTF-8", e);
            }
        }

        @Override
        public String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public boolean decodesImmutableValues() {
            return true;
        }

        @Override
        public String toString() {
            return "Codecs.utf8()";
        }
    }

    private enum BytesCodec implements Codec<byte[]> {
        INSTANCE;

        @Override
        public byte[] encode(byte[] value) {
            return value.clone();
        }

        @Override
        public byte[] decode(byte[] bytes) {
            return bytes.clone();
        }

        @Override
        public String toString() {
            return "Codecs.bytes()";
        }
    }
}
