package io.levelparty.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * The request records that make each write of one {@link EtcdStore} take effect exactly once,
 * however often it is sent: the format, written down once, and the leases that bound them.
 *
 * <p>A reply lost on the way back (a member killed, a connection cut, a timeout) leaves a client
 * unable to tell whether its transaction committed; sending it again blindly could apply it twice,
 * and a {@code put} would then return its own value as the previous one, a {@code compareAndSet}
 * report a failure for a write it made. So every write transaction also creates a record named by
 * this store and a sequence number, and runs only if that record does not exist yet:
 *
 * <pre>
 *   If   (version(record) == 0 [and the write's own condition])
 *   Then (the writes…, put record)
 *   Else (get record)
 * </pre>
 *
 * Every attempt of one write names the same record. An attempt that finds the record learns that
 * an earlier attempt committed, at the record's revision, and reports that outcome instead of
 * writing again: success for a {@code compareAndSet} or batch, and for a {@code put} or
 * {@code delete} the value the key had just before that revision.
 *
 * <p>Record key, under the map's {@link KeySpace} (version 1):
 * <pre>
 *   P 0xFF 'r' 0x01 client(16 bytes, random per store) sequence(8 bytes, big-endian)
 * </pre>
 * and its value is the single byte {@code 0x01}. A record matters only while the write it records
 * may still be retried, that is until the request timeout of its call has passed. Records are
 * attached to an etcd lease that expires after that, and etcd deletes them with it: each lease is
 * used for {@link #LEASE_USE} after it was asked for, and lives {@code LEASE_USE + request timeout
 * + 5 s}, so a record outlives every retry of its write. A store thus keeps at most the records of
 * its last {@code 2 × LEASE_USE + request timeout} or so of writes, and those of a store that dies
 * expire the same way.
 */
final class RequestRecords {
    static final byte FORMAT_VERSION = 1;
    static final Duration LEASE_USE = Duration.ofSeconds(10);
    private static final byte KIND = 'r';
    private static final ByteSequence VALUE = ByteSequence.from(new byte[] {FORMAT_VERSION});

    /** One write's record: its etcd key and the lease it is written with. */
    record Record(ByteSequence key, long lease) {}

    private final KeySpace keys;
    private final byte[] client = new byte[16];
    private final AtomicLong sequence = new AtomicLong();
    private final long leaseSeconds;
    private long lease;
    private long leaseAskedAt;
    private boolean leased;

    RequestRecords(KeySpace keys, Duration requestTimeout) {
        this.keys = keys;
        new SecureRandom().nextBytes(client);
        long timeoutSeconds = (requestTimeout.toMillis() + 999) / 1000;
        this.leaseSeconds = LEASE_USE.toSeconds() + timeoutSeconds + 5;
    }

    /**
     * Returns the record of a new write. {@code grant} grants a lease of the given seconds and
     * returns its id; it is called when the current lease is used up.
     */
    Record next(LongUnaryOperator grant) {
        long id;
        synchronized (this) {
            long now = System.nanoTime();
            if (!leased || now - leaseAskedAt > LEASE_USE.toNanos()) {
                // The lease's life is counted from before it was asked for: etcd starts it later.
                lease = grant.applyAsLong(leaseSeconds);
                leaseAskedAt = now;
                leased = true;
            }
            id = lease;
        }
        ByteBuffer name = ByteBuffer.allocate(2 + client.length + Long.BYTES);
        name.put(KIND).put(FORMAT_VERSION).put(client).putLong(sequence.incrementAndGet());
        return new Record(keys.record(name.array()), id);
    }

    /** Returns the condition that {@code record} does not exist yet. */
    static Cmp absent(Record record) {
        return new Cmp(record.key(), Cmp.Op.EQUAL, CmpTarget.version(0));
    }

    /** Returns the operation that creates {@code record}. */
    static Op create(Record record) {
        return Op.put(record.key(), VALUE, PutOption.builder().withLeaseId(record.lease()).build());
    }

    /** Returns the operation that reads {@code record}, for the Else branch. */
    static Op read(Record record) {
        return Op.get(record.key(), GetOption.DEFAULT);
    }

    /**
     * Returns the revision at which an earlier attempt committed, from the response of a
     * transaction whose Else branch {@linkplain #read read} the record, or 0 if none did.
     */
    static long committedAt(TxnResponse response) {
        List<GetResponse> gets = response.getGetResponses();
        if (gets.isEmpty()) {
            return 0;
        }
        List<KeyValue> found = gets.get(gets.size() - 1).getKvs();
        return found.isEmpty() ? 0 : found.get(0).getModRevision();
    }

    /** Returns the bytes a record adds to a transaction request, for the request size limit. */
    int requestBytes() {
        return 2 * (keys.record(new byte[2 + client.length + Long.BYTES]).size() + 16) + VALUE.size();
    }
}
