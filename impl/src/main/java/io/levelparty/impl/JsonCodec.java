package io.levelparty.impl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.levelparty.Codec;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON text in UTF-8 via Jackson, as Node's {@code level} writes with {@code valueEncoding: 'json'}. */
final class JsonCodec<T> implements Codec<T> {
    private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();

    private final Class<T> type;
    private final ObjectReader reader;
    private final ObjectWriter writer;

    JsonCodec(Class<T> type) {
        this.type = type;
        this.reader = MAPPER.readerFor(type);
        this.writer = MAPPER.writerFor(type);
    }

    @Override
    public byte[] encode(T value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public T decode(byte[] bytes) {
        try {
            return reader.readValue(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "Codecs.json(" + type.getName() + ")";
    }
}
