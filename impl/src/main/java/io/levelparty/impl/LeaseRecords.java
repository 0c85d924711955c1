package io.levelparty.impl;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The leader's records of the cache leases it granted, which tell the next leader whose caches it
 * must wait for (see {@link CacheCoherence}'s "A new term").
 *
 * <p>A record is written under the reserved key {@code 0xFF 'l' <token: 8 bytes> <client id: 16
 * bytes>}, before the leader sends the GRANT of the lease with that token to that client; its value
 * is the follower's process id and start time ({@code <pid: 8 bytes> <start: 8 bytes, epoch
 * milliseconds, or -1 if unknown>}), by which a new leader tells a follower that died with the old
 * leader (it serves nothing) from one that lives and must be waited for. It is deleted once the
 * lease has ended and can serve nothing any more. So while a
 * follower may serve a cached value under a lease, the database holds its record (LevelDB's log
 * keeps an unsynced write across the death of the writing process, and every follower dies with
 * the machine). A new leader reads the records left by its predecessors when it opens the
 * database, and deletes them once it no longer needs them.
 */
final class LeaseRecords {
    static final byte RECORD_TAG = ReservedKeys.LEASE_RECORD_TAG;
    private static final int KEY_BYTES = 2 + 8 + 16;

    private LeaseRecords() {
    }

    /** Returns the prefix shared by all lease records, for a scan of them. */
    static byte[] prefix() {
        return new byte[] {ReservedKeys.PREFIX, RECORD_TAG};
    }

    static byte[] key(long token, UUID client) {
        return ByteBuffer.allocate(KEY_BYTES).put(ReservedKeys.PREFIX).put(RECORD_TAG).putLong(token)
                .putLong(client.getMostSignificantBits()).putLong(client.getLeastSignificantBits()).array();
    }

    /** Returns the value of a record of a lease held by the process {@code pid}. */
    static byte[] value(long pid) {
        long start = ProcessHandle.of(pid).flatMap(p -> p.info().startInstant()).map(Instant::toEpochMilli).orElse(-1L);
        return ByteBuffer.allocate(16).putLong(pid).putLong(start).array();
    }

    /**
     * Returns whether the process a record's {@code value} names may still be alive: it is, with
     * the same start time, or the record does not tell.
     */
    static boolean holderMayLive(byte[] value) {
        if (value == null || value.length != 16) {
            return true;
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        long pid = b.getLong();
        long start = b.getLong();
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        Optional<Instant> started = process.get().info().startInstant();
        return start < 0 || started.isEmpty() || started.get().toEpochMilli() == start; // else the pid was reused
    }

    /** Returns the client of a lease record key, or null if {@code key} is not one. */
    static UUID clientOf(byte[] key) {
        if (key.length != KEY_BYTES || key[0] != ReservedKeys.PREFIX || key[1] != RECORD_TAG) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(key, 10, 16);
        return new UUID(b.getLong(), b.getLong());
    }
}
