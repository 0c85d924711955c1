package io.levelparty.etcd;

import io.etcd.jetcd.ByteSequence;
import io.levelparty.spi.KeyRange;
import java.util.Arrays;

/**
 * Where one map's keys live in etcd's single keyspace, the one statement of that layout.
 *
 * <pre>
 *   map key k     →  P k             P = the URI path in UTF-8, then one zero byte
 *   the map       →  [P, P 0xFF)     every map key, as k never begins with 0xFF
 *   store records →  P 0xFF …        {@link RequestRecords}, never seen by map operations
 * </pre>
 *
 * <p>Paths never hold a zero byte ({@link EtcdAddress#parse}), so the prefixes of two paths are
 * never prefixes of one another and two maps never share a key, even when one path extends the
 * other ({@code /a} and {@code /a/b}). With {@code etcdctl get --prefix /a/b} one sees a map's keys
 * and its records.
 */
final class KeySpace {
    private static final byte RESERVED = (byte) 0xFF;

    private final byte[] prefix;
    private final byte[] end;

    KeySpace(byte[] path) {
        prefix = Arrays.copyOf(path, path.length + 1);
        end = Arrays.copyOf(prefix, prefix.length + 1);
        end[prefix.length] = RESERVED;
    }

    /** Returns the etcd key of map key {@code key}. */
    ByteSequence key(byte[] key) {
        if (key.length > 0 && key[0] == RESERVED) {
            throw new IllegalArgumentException("keys beginning with 0xFF are reserved");
        }
        return ByteSequence.from(concat(prefix, key));
    }

    /** Returns the map key of an etcd key of this map. */
    byte[] mapKey(ByteSequence etcdKey) {
        byte[] bytes = etcdKey.getBytes();
        return Arrays.copyOfRange(bytes, prefix.length, bytes.length);
    }

    /** Returns the etcd key of store record {@code name}: the prefix, 0xFF, then {@code name}. */
    ByteSequence record(byte[] name) {
        return ByteSequence.from(concat(end, name));
    }

    /** Returns the first etcd key of the whole map. */
    ByteSequence start() {
        return ByteSequence.from(prefix);
    }

    /** Returns the etcd key just past the whole map (exclusive). */
    ByteSequence end() {
        return ByteSequence.from(end);
    }

    /**
     * Returns the etcd keys {@code [start, end)} of {@code range} within this map, or {@code null}
     * when no key can lie in it.
     */
    ByteSequence[] bounds(KeyRange range) {
        if (range.isEmpty()) {
            return null;
        }
        byte[] low = range.low() == null ? prefix
                : range.lowInclusive() ? concat(prefix, range.low()) : successor(concat(prefix, range.low()));
        byte[] high = range.high() == null ? end
                : range.highInclusive() ? successor(concat(prefix, range.high())) : concat(prefix, range.high());
        if (Arrays.compareUnsigned(high, end) > 0) {
            high = end;
        }
        if (Arrays.compareUnsigned(low, high) >= 0) {
            return null;
        }
        return new ByteSequence[] {ByteSequence.from(low), ByteSequence.from(high)};
    }

    /** Returns the least byte string greater than {@code key}: {@code key} followed by a zero byte. */
    private static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
