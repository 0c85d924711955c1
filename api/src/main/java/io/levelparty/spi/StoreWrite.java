package io.levelparty.spi;

import java.util.Objects;

/** One write of an atomic {@linkplain PartyStore#batch batch}: a put, or a delete when {@code value} is null. */
public record StoreWrite(byte[] key, byte[] value) {
    public StoreWrite {
        Objects.requireNonNull(key, "key");
    }

    /** Returns a put of {@code value} under {@code key}. */
    public static StoreWrite put(byte[] key, byte[] value) {
        return new StoreWrite(key, Objects.requireNonNull(value, "value"));
    }

    /** Returns a delete of {@code key}. */
    public static StoreWrite delete(byte[] key) {
        return new StoreWrite(key, null);
    }

    /** Returns whether this write deletes its key. */
    public boolean isDelete() {
        return value == null;
    }
}
