package io.levelparty.impl;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * The leader's records of numbered writes, which make a write resent after a failover
 * take effect once.
 *
 * <p>Each numbered write is applied in one LevelDB batch together with a record of its outcome,
 * under the reserved key {@code 0xFF 'c' <client id: 16 bytes> <seq: 8 bytes, big-endian>}; the
 * value is the leader's wall-clock time in milliseconds (8 bytes) followed by the outcome. So a
 * write is in the log together with its record before anyone hears of it, and any later leader
 * finds the record: a copy of the write resent to it is answered from the record instead of being
 * applied again, with the outcome the first application had.
 *
 * <p>A client keeps a record only for writes it has not yet confirmed receiving: each write
 * carries the client's {@code ackedUpTo} mark, and records up to the mark are deleted in the same
 * batch. Records of clients that went away without confirming are deleted once they are older than
 * {@link #STALE_AFTER_MILLIS}, far beyond any client's wait for a new leader.
 *
 * <p>Not thread-safe: the store calls it under its write lock. It caches, per client, the sequence
 * numbers that have records, loading them from the database the first time a client writes in this
 * leader's term.
 */
final class ClientRecords {
    static final byte RECORD_TAG = ReservedKeys.CLIENT_RECORD_TAG;
    static final long STALE_AFTER_MILLIS = 60 * 60 * 1000L;
    private static final int CLIENT_KEY_BYTES = 2 + 16;
    private static final int KEY_BYTES = CLIENT_KEY_BYTES + 8;

    private final Map<UUID, NavigableSet<Long>> seqsByClient = new HashMap<>();

    /** Returns the prefix shared by all records, for a scan of them. */
    static byte[] prefix() {
        return new byte[] {ReservedKeys.PREFIX, RECORD_TAG};
    }

    static byte[] clientPrefix(UUID client) {
        return ByteBuffer.allocate(CLIENT_KEY_BYTES).put(ReservedKeys.PREFIX).put(RECORD_TAG)
                .putLong(client.getMostSignificantBits()).putLong(client.getLeastSignificantBits()).array();
    }

    static byte[] key(UUID client, long seq) {
        return ByteBuffer.allocate(KEY_BYTES).put(clientPrefix(client)).putLong(seq).array();
    }

    /** Returns the client of a record key, or null if {@code key} is not one. */
    static UUID clientOf(byte[] key) {
        if (key.length != KEY_BYTES || key[0] != ReservedKeys.PREFIX || key[1] != RECORD_TAG) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(key, 2, 16);
        return new UUID(b.getLong(), b.getLong());
    }

    static long seqOf(byte[] key) {
        return ByteBuffer.wrap(key, CLIENT_KEY_BYTES, 8).getLong();
    }

    static byte[] value(long nowMillis, byte[] outcome) {
        return ByteBuffer.allocate(8 + outcome.length).putLong(nowMillis).put(outcome).array();
    }

    static long timeOf(byte[] value) {
        return ByteBuffer.wrap(value, 0, 8).getLong();
    }

    static byte[] outcomeOf(byte[] value) {
        return Arrays.copyOfRange(value, 8, value.length);
    }

    /**
     * Returns the sequence numbers with records of {@code client}, loading them with
     * {@code recordKeysWithPrefix} the first time.
     */
    NavigableSet<Long> seqs(UUID client, Function<byte[], Iterable<byte[]>> recordKeysWithPrefix) {
        return seqsByClient.computeIfAbsent(client, c -> {
            NavigableSet<Long> seqs = new TreeSet<>();
            for (byte[] key : recordKeysWithPrefix.apply(clientPrefix(c))) {
                seqs.add(seqOf(key));
            }
            return seqs;
        });
    }

    /** Forgets what is cached of {@code client}, whose records were deleted. */
    void forget(UUID client) {
        seqsByClient.remove(client);
    }
}
