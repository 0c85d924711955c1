package io.levelparty.impl;

import io.levelparty.PartyException;
import io.levelparty.PartyUnavailableException;
import io.levelparty.StorageEngine;
import io.levelparty.Subscription;
import io.levelparty.spi.ChangeListener;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's store: LevelDB, through one of the two engines of {@link LevelDb}.
 *
 * <p>Implementation notes. The native engine's handles are dangerous: touching an iterator after
 * the database is freed aborts the JVM. So every iterator lives inside a single call, and every
 * call holds the read side of {@link #lifecycle} while it touches the database; {@link #close()}
 * takes the write side, so it waits for calls in progress and no call starts on a freed database.
 * Writes are serialized by {@link #writeLock}: they read the previous value and write under it,
 * which makes {@code put}'s returned previous value and compare-and-set atomic (this process is
 * the only writer of the directory, since it holds LevelDB's lock). Synced writes that arrive
 * together are committed together, in one batch and one sync (see {@link GroupCommit}). Reads take no write lock:
 * LevelDB gives each read and each iterator a consistent snapshot, so a scan page reflects one
 * state.
 *
 * <p>Keys that begin with {@code 0xFF} are the store's own records; navigation and scans stop
 * before them, which is simple because they sort after every user key.
 */
final class LocalStore implements PartyStore {
    private static final Logger log = LoggerFactory.getLogger(LocalStore.class);
    /**
     * A reserved key kept in every database, right after the user keys and before the records.
     * Every write of a follower adds an exactly-once record and deletes older ones, and LevelDB
     * steps over deleted keys one by one until compaction drops them: without a live key to stop
     * on, finding the last user key, or reaching the end of a scan, would step over every recently
     * deleted record first (thousands under a steady stream of writes).
     */
    private static final byte[] USER_KEYS_END = ReservedKeys.USER_KEYS_END;
    /** A scan page stops after this many bytes of keys and values, whatever its entry limit. */
    static final int MAX_PAGE_BYTES = 1 << 20;
    /**
     * LevelDB's memtable size, and so the most log a new leader replays when it opens the database
     * after its predecessor died: replaying and flushing a full log costs about 15 ms per MiB here,
     * all of it inside the failover, so this is a quarter of LevelDB's default of 4 MiB. Smaller
     * memtables flush more often, which costs steady writes a little background work.
     */
    static final long WRITE_BUFFER_BYTES = 1 << 20;
    /** How long a close waits for the check of the logs the open recovered to report, at most. */
    private static final long LOG_CHECK_WAIT_MILLIS = 10_000;
    /** How often a store whose LevelDB failed a write looks whether the reserve is free again. */
    private static final long RESERVE_POLL_MILLIS = 100;

    private final Path dir;
    /**
     * Every read checks the checksums of the blocks it reads from a table file (once per block
     * read from disk; cached blocks were checked when read): a damaged table is an exception, not
     * a wrong value.
     */
    private final LevelDb db;
    /** Reads the logs this store's open recovered, in the background. */
    private final LogRecoveryCheck logCheck;
    /** This process's hold on {@link #dir}, released once {@link #db} is closed (see {@link InProcessLocks}). */
    private final Object inProcessLock;
    /** The engine {@link #db} runs on, which a backup is written with too. */
    private final StorageEngine engine;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guarded by {@link #writeLock}. */
    private final ClientRecords records = new ClientRecords();
    /** Used under {@link #writeLock}. */
    private final ChangeFeed changes = new ChangeFeed();
    /** Keeps followers' caches current: every write is invalidated there before it is applied. */
    private final CacheCoherence coherence = new CacheCoherence();
    private volatile boolean closed;
    /** Refuses writes while the filesystem is nearly full. Used under {@link #writeLock}. */
    private final DiskReserve reserve;
    /** Compacts where reads step over many deleted or overwritten entries. */
    private final ChurnCompactor churn;
    /** Synced writes wait here to be committed, several at once. */
    private final GroupCommit groups = new GroupCommit(writeLock, this::commitGroup);
    /** How many writes were committed in groups of more than one. Guarded by {@link #writeLock}. */
    private long groupedWrites;
    /** What to run once LevelDB failed a write: see {@link #onWriteFailure}. */
    private volatile Runnable onWriteFailure = () -> { };
    private final AtomicBoolean writeFailed = new AtomicBoolean();

    /** When this process held the directory's lock, as System.nanoTime(): no earlier leader stamps a lease after it. */
    private final long lockedAt = System.nanoTime();

    private LocalStore(Path dir, LevelDb db, StorageEngine engine, Object inProcessLock, LogRecoveryCheck logCheck)
            throws IOException {
        this.dir = dir;
        this.inProcessLock = inProcessLock;
        this.logCheck = logCheck;
        this.db = db;
        this.engine = engine;
        this.reserve = new DiskReserve(dir);
        this.churn = new ChurnCompactor(this::compactThroughDeepest, dir.toString());
        checkFormat(dir, db.get(ReservedKeys.FORMAT_VERSION));
        if (db.get(USER_KEYS_END) == null) { // a new database, or one of an older version
            db.put(USER_KEYS_END, new byte[0], false);
        }
        // A database without a version is new, or of format 1, which wrote none.
        db.put(ReservedKeys.FORMAT_VERSION, ByteBuffer.allocate(4).putInt(ReservedKeys.FORMAT).array(), false);
    }

    /** {@link #tryOpen(Path, StorageEngine)} with the engine this process picks by default. */
    static LocalStore tryOpen(Path dir) {
        return tryOpen(dir, StorageEngine.AUTO);
    }

    /**
     * Opens LevelDB in the existing directory {@code dir} with {@code engine} (native, Java, or
     * {@linkplain LevelDbEngines#resolve decided now} for AUTO), creating the database if missing.
     *
     * @return the store, or {@code null} if another process or another open in this process holds
     *     the directory's lock, or this process may not take it (its user may not write the lock
     *     file): it may then follow
     * @throws PartyUnavailableException if the database cannot be opened for another reason
     */
    static LocalStore tryOpen(Path dir, StorageEngine engine) {
        return tryOpen(dir, engine, () -> { });
    }

    /**
     * As {@link #tryOpen(Path, StorageEngine)}; runs {@code beforeCompeting} first if it finds the
     * lock free, and is about to compete for it.
     */
    static LocalStore tryOpen(Path dir, StorageEngine engine, Runnable beforeCompeting) {
        Object inProcessLock = InProcessLocks.tryLock(dir);
        if (inProcessLock == null) {
            return null; // another map of this process leads it, perhaps on the other engine
        }
        LogRecoveryCheck logs = null;
        LocalStore store = null;
        try {
            if (LockHolder.heldByAnotherProcess(dir)) {
                // Without reading the logs first: a follower that polls for a lost leader's lock
                // would read them all again on every attempt, while the winner replays them.
                return null;
            }
            beforeCompeting.run();
            StorageEngine resolved = LevelDbEngines.resolve(engine);
            // Before the open, which takes the lock and recovers the logs at once, dropping what it cannot read.
            logs = LogRecoveryCheck.before(dir);
            LevelDb db = LevelDbEngines.open(resolved, dir, /* mustBeNew= */ false, WRITE_BUFFER_BYTES);
            try {
                store = new LocalStore(dir, db, resolved, inProcessLock, logs);
                logs.opened();
                return store;
            } catch (IOException | RuntimeException e) {
                db.close(); // releases the lock, so the election can go on without this process
                throw e;
            }
        } catch (LockUnavailableException e) {
            return null;
        } catch (IOException e) {
            throw new PartyUnavailableException("Cannot open LevelDB in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (store == null) {
                if (logs != null) {
                    logs.discard();
                }
                InProcessLocks.unlock(inProcessLock);
            }
        }
    }

    /** Returns the engine this store's LevelDB runs on. */
    StorageEngine engine() {
        return engine;
    }

    Path dir() {
        return dir;
    }

    static boolean isReserved(byte[] key) {
        return ReservedKeys.isReserved(key);
    }

    /** Refuses a database written in a storage format this version does not read. */
    private static void checkFormat(Path dir, byte[] version) {
        if (version == null) {
            return;
        }
        int format = version.length == 4 ? ByteBuffer.wrap(version).getInt() : -1;
        if (format != ReservedKeys.FORMAT) {
            throw new PartyUnavailableException("The LevelDB database in " + dir + " is in LevelParty's storage format "
                    + (format < 0 ? "(unreadable: " + version.length + " bytes)" : format) + ", and this version reads "
                    + "format " + ReservedKeys.FORMAT + (format > ReservedKeys.FORMAT
                            ? ": it was written by a newer LevelParty, which must open it" : ""), null);
        }
    }

    @Override
    public byte[] get(byte[] key) {
        return read(() -> db.get(key));
    }

    @Override
    public byte[] put(byte[] key, byte[] value) {
        return apply(new WriteCommand.Put(key, value));
    }

    @Override
    public byte[] delete(byte[] key) {
        return apply(new WriteCommand.Delete(key));
    }

    @Override
    public boolean compareAndSet(byte[] key, byte[] expected, byte[] update) {
        return apply(new WriteCommand.CompareAndSet(key, expected, update));
    }

    @Override
    public void batch(List<StoreWrite> writes) {
        apply(new WriteCommand.Batch(writes));
    }

    /**
     * {@inheritDoc} The listener is called on the writing thread with this store's write lock held:
     * writes wait for it.
     */
    @Override
    public Subscription subscribe(ChangeListener listener) {
        checkOpen();
        return changes.subscribe(listener);
    }

    CacheCoherence coherence() {
        return coherence;
    }

    /**
     * Holds this leader's writes back until the followers that earlier leaders granted cache leases
     * to, other than {@code self}, have connected to it, or those leases have expired (see
     * {@link CacheCoherence}); then deletes the records of those leases. Call it before serving.
     */
    void fenceFormerLeases(UUID self) {
        List<byte[]> records = read(() -> keysWithPrefix(LeaseRecords.prefix()));
        if (records.isEmpty()) {
            return;
        }
        Set<UUID> holders = new HashSet<>();
        for (byte[] key : records) {
            // A follower that died (with the old leader, often) serves nothing: not waited for.
            if (LeaseRecords.holderMayLive(read(() -> db.get(key)))) {
                holders.add(LeaseRecords.clientOf(key));
            }
        }
        holders.remove(self); // this process stopped serving its cache before it took the lock
        holders.remove(null);
        Runnable forget = () -> deleteRecords(records);
        if (holders.isEmpty()) {
            forget.run();
        } else {
            // Every stamp of an earlier leader was sent before it let go of the lock, so before lockedAt.
            coherence.fence(holders, lockedAt + CacheCoherence.LEASE_NANOS, forget);
        }
    }

    /**
     * Notes that the lease {@code token} is about to be granted to {@code client}, of the process
     * {@code pid} (see {@link LeaseRecords}).
     */
    void recordLease(long token, UUID client, long pid) {
        byte[] value = LeaseRecords.value(pid);
        write(() -> {
            toLevelDb(() -> db.put(LeaseRecords.key(token, client), value, false));
            return null;
        });
    }

    /** Forgets the lease {@code token} of {@code client}, which can serve nothing any more. */
    void forgetLease(long token, UUID client) {
        deleteRecords(List.of(LeaseRecords.key(token, client)));
    }

    private void deleteRecords(List<byte[]> keys) {
        try {
            write(() -> {
                toLevelDb(() -> db.write(keys.stream().map(StoreWrite::delete).toList(), false));
                return null;
            });
        } catch (TermEndedException closing) {
            // the records stay, and the next leader waits for their leases too: safe, if slower
        }
    }

    /** Applies {@code command}, a write of this process, unsynced, and returns its outcome. */
    <R> R apply(WriteCommand<R> command) {
        return apply(command, false);
    }

    /**
     * Applies {@code command}, a write of this process, and returns its outcome; with {@code sync},
     * once LevelDB has synced its log.
     */
    <R> R apply(WriteCommand<R> command, boolean sync) {
        try (CacheCoherence.Write ignored = invalidate(command.keys(), null)) {
            return applyInvalidated(command, sync);
        }
    }

    /**
     * {@link #applyOnceInvalidated} for a write of this process: invalidates its keys in the
     * followers' caches first.
     */
    <R> R applyOnce(WriteId id, WriteCommand<R> command, boolean sync) {
        try (CacheCoherence.Write ignored = invalidate(command.keys(), null)) {
            return applyOnceInvalidated(id, command, sync);
        }
    }

    /**
     * Returns once no follower's cache can serve a value of {@code keys} (see {@link CacheCoherence}), which stays
     * so until the returned write is closed: the writes of these keys may then be applied with
     * {@link #applyInvalidated} or {@link #applyOnceInvalidated}. The follower holding
     * {@code writersLease} (null: this process, or a follower that caches nothing) sent the writes
     * and dropped the keys itself as it sent them.
     *
     * @throws TermEndedException if this store is closed or closes meanwhile
     */
    CacheCoherence.Write invalidate(List<byte[]> keys, LeaderSideLease writersLease) {
        checkOpen();
        return coherence.beginWrite(keys, writersLease);
    }

    /**
     * Applies {@code command}, whose keys the caller {@linkplain #invalidate invalidated}, and
     * returns its outcome; with {@code sync}, once LevelDB has synced its log.
     */
    <R> R applyInvalidated(WriteCommand<R> command, boolean sync) {
        return commit(null, command, sync);
    }

    /**
     * Applies {@code command}, numbered {@code id} by its client, unless a write of that number was
     * applied before — by this leader or an earlier one — in which case it returns the outcome
     * recorded then (see {@link ClientRecords}). The caller {@linkplain #invalidate invalidated}
     * its keys. With {@code sync}, it returns once LevelDB has synced its log.
     */
    <R> R applyOnceInvalidated(WriteId id, WriteCommand<R> command, boolean sync) {
        return commit(id, command, sync);
    }

    /** Commits {@code command} with the writes queued with it (see {@link GroupCommit}) and returns its outcome. */
    private <R> R commit(WriteId id, WriteCommand<R> command, boolean sync) {
        return read(() -> {
            GroupCommit.PendingWrite<R> write = groups.pending(id, command, sync);
            groups.submit(write);
            return write.outcome();
        });
    }

    /**
     * Commits {@code group}, writes in commit order, in one LevelDB batch, synced if any of them
     * asks for it: each write is staged seeing the writes before it, and fails alone if its staging
     * fails; the batch fails them all if LevelDB does.
     */
    private void commitGroup(List<GroupCommit.PendingWrite<?>> group) {
        if (group.size() > 1) {
            groupedWrites += group.size();
        }
        GroupStaging batch = new GroupStaging(group.size() > 1);
        List<Staged<?>> staged = new ArrayList<>(group.size());
        boolean sync = false;
        for (GroupCommit.PendingWrite<?> write : group) {
            try {
                Staged<?> s = stage(write, batch);
                if (s != null) {
                    staged.add(s);
                    sync |= write.sync;
                }
            } catch (IOException | RuntimeException e) {
                batch.discardMember();
                write.fail(e instanceof IOException io ? failure(io) : (RuntimeException) e);
            }
        }
        if (staged.isEmpty()) {
            return;
        }
        boolean synced = sync;
        try {
            toLevelDb(() -> batch.writeTo(db, synced)); // every write of the group, and their records, reach the log together
        } catch (IOException | RuntimeException e) {
            RuntimeException failure = e instanceof IOException io ? failure(io) : (RuntimeException) e;
            staged.forEach(s -> s.write.fail(failure));
            return;
        }
        staged.forEach(Staged::committed);
    }

    /**
     * Stages {@code write} in {@code batch} with its exactly-once record; returns it staged, or null
     * if it was applied before (then it is decided already, with the outcome recorded then).
     * Called under {@link #writeLock}.
     */
    private <R> Staged<R> stage(GroupCommit.PendingWrite<R> write, GroupStaging batch) throws IOException {
        WriteId id = write.id;
        NavigableSet<Long> recorded = null;
        if (id != null) {
            recorded = records.seqs(id.client(), this::keysWithPrefix);
            if (recorded.contains(id.seq())) {
                byte[] record = db.get(ClientRecords.key(id.client(), id.seq()));
                write.succeed(write.command.decode(ClientRecords.outcomeOf(record)));
                return null;
            }
        }
        reserve.checkBeforeWrite(); // after the record: a write applied before still gets its outcome
        WriteCommand.Staging staging = changes.recording(batch);
        R outcome = write.command.stage(staging);
        if (id != null) {
            batch.put(ClientRecords.key(id.client(), id.seq()),
                    ClientRecords.value(System.currentTimeMillis(), write.command.encode(outcome)));
            for (long seq : recorded.headSet(id.ackedUpTo(), true)) {
                batch.delete(ClientRecords.key(id.client(), seq));
            }
        }
        batch.endMember();
        return new Staged<>(write, outcome, staging, recorded);
    }

    /** A write staged in a group, and what to do once the group is committed. */
    private final class Staged<R> {
        final GroupCommit.PendingWrite<R> write;
        private final R outcome;
        private final WriteCommand.Staging staging;
        /** The client's recorded sequence numbers, or null for an unnumbered write. */
        private final NavigableSet<Long> recorded;

        Staged(GroupCommit.PendingWrite<R> write, R outcome, WriteCommand.Staging staging,
                NavigableSet<Long> recorded) {
            this.write = write;
            this.outcome = outcome;
            this.staging = staging;
            this.recorded = recorded;
        }

        void committed() {
            changes.committed(staging); // in commit order: the group's writes are in queue order
            if (recorded != null) {
                recorded.headSet(write.id.ackedUpTo(), true).clear();
                recorded.add(write.id.seq());
            }
            write.succeed(outcome);
        }
    }

    /**
     * The batch of a group: collects the writes' changes, and lets each write read the database as
     * the writes staged before it in the group left it. A write's changes join the batch only once
     * it is staged whole ({@link #endMember}).
     */
    private final class GroupStaging implements WriteCommand.Staging {
        private static final byte[] DELETED = new byte[0];
        private final List<StoreWrite> writes = new ArrayList<>();
        /** The values the group's staged writes left, {@link #DELETED} for deleted keys; null for a group of one. */
        private final Map<ByteBuffer, byte[]> staged;
        /** The changes of the write being staged. */
        private final List<StoreWrite> member = new ArrayList<>();

        GroupStaging(boolean several) {
            this.staged = several ? new HashMap<>() : null;
        }

        @Override
        public byte[] current(byte[] key) {
            byte[] value = staged == null ? null : staged.get(ByteBuffer.wrap(key));
            if (value == null) {
                return currentValue(key);
            }
            return value == DELETED ? null : value;
        }

        @Override
        public void put(byte[] key, byte[] value) {
            member.add(StoreWrite.put(key, value));
        }

        @Override
        public void delete(byte[] key) {
            member.add(StoreWrite.delete(key));
        }

        void endMember() {
            if (staged != null) {
                for (StoreWrite w : member) {
                    staged.put(ByteBuffer.wrap(w.key()), w.isDelete() ? DELETED : w.value());
                }
            }
            writes.addAll(member);
            member.clear();
        }

        void discardMember() {
            member.clear();
        }

        void writeTo(LevelDb target, boolean sync) throws IOException {
            if (writes.isEmpty()) {
                return; // a remove of an absent key, a failed compare-and-set: nothing to log
            } else if (writes.size() != 1) {
                target.write(writes, sync);
            } else if (writes.get(0).isDelete()) { // one change: written without a batch, which costs more
                target.delete(writes.get(0).key(), sync);
            } else {
                target.put(writes.get(0).key(), writes.get(0).value(), sync);
            }
        }
    }

    /**
     * Deletes the records of clients whose newest record is older than
     * {@link ClientRecords#STALE_AFTER_MILLIS}: clients that went away without confirming their
     * last writes, which nobody will resend any more. The records are read without the write
     * lock, so that writes wait only for the deletion.
     */
    void sweepStaleRecords(long nowMillis) {
        Map<UUID, Long> newest = new HashMap<>();
        Map<UUID, List<byte[]>> keys = new HashMap<>();
        read(() -> {
            try (LevelDb.Cursor it = db.cursor()) {
                byte[] prefix = ClientRecords.prefix();
                for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                    byte[] key = it.key();
                    UUID client = ClientRecords.clientOf(key);
                    if (client != null) {
                        newest.merge(client, ClientRecords.timeOf(it.value()), Math::max);
                        keys.computeIfAbsent(client, c -> new ArrayList<>()).add(key);
                    }
                }
            }
            return null;
        });
        newest.values().removeIf(time -> nowMillis - time <= ClientRecords.STALE_AFTER_MILLIS);
        if (newest.isEmpty()) {
            return;
        }
        write(() -> {
            List<StoreWrite> batch = new ArrayList<>();
            // Only the records read above: a record a stale client wrote since then stays.
            newest.keySet().forEach(client -> {
                keys.get(client).forEach(key -> batch.add(StoreWrite.delete(key)));
                records.forget(client);
            });
            toLevelDb(() -> db.write(batch, false));
            return null;
        });
    }

    private List<byte[]> keysWithPrefix(byte[] prefix) {
        List<byte[]> keys = new ArrayList<>();
        try (LevelDb.Cursor it = db.cursor()) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                keys.add(it.key());
            }
        } catch (IOException e) {
            throw failure(e);
        }
        return keys;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private byte[] currentValue(byte[] key) {
        try {
            return db.get(key);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    @Override
    public StoreEntry navigate(byte[] key, Relation relation) {
        long start = System.nanoTime();
        return read(() -> {
            try (LevelDb.Cursor it = db.cursor()) {
                if (relation.ascending()) {
                    seekAtOrAfter(it, key, relation.inclusive());
                } else {
                    seekAtOrBefore(it, key, relation.inclusive());
                }
                byte[] found = null;
                StoreEntry entry = null;
                if (it.isValid()) {
                    found = it.key();
                    entry = isReserved(found) ? null : new StoreEntry(found, it.value());
                }
                // the seek stepped over what lies between the key asked for and the key found
                churn.read(start, 1, relation.ascending() ? key : found, relation.ascending() ? found : key);
                return entry;
            }
        });
    }

    @Override
    public List<StoreEntry> scan(KeyRange range, boolean descending, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        long start = System.nanoTime();
        return read(() -> {
            List<StoreEntry> page = new ArrayList<>(Math.min(limit, 256));
            try (LevelDb.Cursor it = db.cursor()) {
                if (descending) {
                    seekAtOrBefore(it, range.high(), range.highInclusive());
                } else {
                    seekAtOrAfter(it, range.low(), range.lowInclusive());
                }
                long bytes = 0;
                while (it.isValid() && page.size() < limit && bytes < MAX_PAGE_BYTES) {
                    byte[] key = it.key();
                    if (isReserved(key) || (descending ? range.tooLow(key) : range.tooHigh(key))) {
                        break;
                    }
                    byte[] value = it.value();
                    page.add(new StoreEntry(key, value));
                    bytes += key.length + value.length;
                    if (descending) {
                        it.prev();
                    } else {
                        it.next();
                    }
                }
                byte[] last = it.isValid() ? it.key() : null;
                // the page stepped over what lies between where it started and where it stopped
                churn.read(start, page.size(), descending ? last : range.low(), descending ? range.high() : last);
                return page;
            }
        });
    }

    @Override
    public long count(KeyRange range) {
        return read(() -> {
            try (LevelDb.Cursor it = db.cursor()) {
                seekAtOrAfter(it, range.low(), range.lowInclusive());
                long n = 0;
                for (; it.isValid(); it.next()) {
                    byte[] key = it.key();
                    if (isReserved(key) || range.tooHigh(key)) {
                        break;
                    }
                    n++;
                }
                return n;
            }
        });
    }

    /**
     * {@inheritDoc} The copy holds the user entries of one consistent state (one LevelDB iterator,
     * which reads one snapshot) and none of the party's own records; it is written under a
     * temporary name beside {@code destination} and renamed once whole, so {@code destination}
     * appears complete or not at all. Writers go on meanwhile.
     */
    @Override
    public void backup(Path destination) {
        Path target = destination.toAbsolutePath();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("The backup's destination " + target + " exists; name a new directory");
        }
        Path partial = target.resolveSibling(target.getFileName() + ".partial-" + ThisProcess.PID);
        read(() -> {
            LevelDb copy;
            try {
                copy = LevelDbEngines.open(engine, partial, /* mustBeNew= */ true, WRITE_BUFFER_BYTES);
            } catch (IOException e) {
                throw new PartyException("Cannot create the backup in " + partial + ": " + e.getMessage(), e);
            }
            try (copy; LevelDb.Cursor it = db.cursor()) {
                copyUserEntries(it, copy);
            }
            return null;
        });
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PartyException("Cannot move the finished backup " + partial + " to " + target + ": " + e, e);
        }
    }

    /** Writes the user entries {@code it} reads into {@code copy}, in batches of about a mebibyte. */
    private static void copyUserEntries(LevelDb.Cursor it, LevelDb copy) throws IOException {
        List<StoreWrite> batch = new ArrayList<>();
        long bytes = 0;
        for (it.seekToFirst(); it.isValid() && !isReserved(it.key()); it.next()) {
            byte[] key = it.key();
            byte[] value = it.value();
            batch.add(StoreWrite.put(key, value));
            bytes += key.length + value.length;
            if (bytes >= 1 << 20) {
                copy.write(batch, false);
                batch.clear();
                bytes = 0;
            }
        }
        copy.write(batch, false);
    }

    /**
     * {@inheritDoc} LevelDB rewrites the range's files, dropping deleted and overwritten entries.
     *
     * <p>LevelDB's own compaction of a range merges each level into the next down to the deepest
     * level that holds some of the range, and leaves that level's files as they are; and a
     * memtable flushed where no table holds its keys lands directly on level 2, its garbage with
     * it. So after a map was churned and its writes stopped, compacting found nothing to merge
     * and {@code lastKey()} stayed 50 times slower than on a fresh map. Hence the memtable is
     * flushed first, wherever it lands, and then {@link #compactThroughDeepest} merges it.
     *
     * @throws PartyException if less than the {@link DiskReserve} is free: a
     *     compaction writes its new tables before it deletes the old ones
     */
    @Override
    public void compact(KeyRange range) {
        write(() -> {
            reserve.checkBeforeWrite();
            return null;
        });
        flushMemtable();
        compactThroughDeepest(range);
    }

    /**
     * Compacts {@code range} down into the deepest level that holds some of it, rewriting that
     * level's tables in the range too, unless the memtable's own flush lands there (where nothing
     * else holds its keys): then the next compaction of the range merges it. The range's two ends
     * are written again unchanged (a value as it is, an absent key deleted again), so that the
     * flush holds a table spanning the range, which LevelDB merges down level by level, taking
     * along every table of the range on each. {@link ChurnCompactor} calls this alone: it compacts
     * a range again while reads there stay slow, and a flush fewer is a hand-over fewer to
     * LevelDB's compaction thread, which on a busy machine is what a compaction mostly waits for.
     *
     * @throws PartyException if less than the {@link DiskReserve} is free; nothing
     *     was written then
     */
    void compactThroughDeepest(KeyRange range) {
        byte[] low = range.low() == null ? new byte[0] : range.low();
        byte[] high = range.high() == null ? USER_KEYS_END : range.high();
        write(() -> {
            reserve.checkBeforeWrite(); // the ends' writes and the new tables need the space writes may not eat into
            List<StoreWrite> ends = List.of(unchanged(low), unchanged(high));
            toLevelDb(() -> db.write(ends, false));
            return null;
        });
        read(() -> {
            db.compactRange(low, high);
            return null;
        });
    }

    /** Returns a write that leaves {@code key} as it is. Called under {@link #writeLock}, so no write comes between. */
    private StoreWrite unchanged(byte[] key) throws IOException {
        byte[] value = db.get(key);
        return value == null ? StoreWrite.delete(key) : StoreWrite.put(key, value);
    }

    /**
     * Writes the memtable to a table file, so that whoever opens the database next replays almost
     * no log. LevelDB 1.8 turns a replayed log into a table inside the open, about 15 ms per MiB
     * here, all of it between this leader letting go and the next one serving; written now, while
     * this leader still serves, it costs the hand-over nothing.
     */
    void flushForSuccessor() {
        flushMemtable();
    }

    /** LevelDB has no call for a flush alone: compacting a range that no table overlaps flushes and does nothing else. */
    private void flushMemtable() {
        read(() -> {
            db.compactRange(ReservedKeys.EMPTY_LOW, ReservedKeys.EMPTY_HIGH);
            return null;
        });
    }

    /** Returns how many writes were committed together with others (see {@link GroupCommit}). */
    long groupedWrites() {
        writeLock.lock();
        try {
            return groupedWrites;
        } finally {
            writeLock.unlock();
        }
    }

    /** Returns how many ranges were compacted because reads stepped over many dead entries there. */
    long churnCompactions() {
        return churn.compactions();
    }

    /** Positions {@code it} at the first key after {@code key} (or at it, if inclusive); null means the start. */
    private static void seekAtOrAfter(LevelDb.Cursor it, byte[] key, boolean inclusive) throws IOException {
        if (key == null) {
            it.seekToFirst();
            return;
        }
        it.seek(key);
        if (!inclusive && it.isValid() && Arrays.equals(it.key(), key)) {
            it.next();
        }
    }

    /**
     * Positions {@code it} at the last user key before {@code key} (or at it, if inclusive); null
     * means past every user key, that is before {@link #USER_KEYS_END}.
     */
    private static void seekAtOrBefore(LevelDb.Cursor it, byte[] key, boolean inclusive) throws IOException {
        byte[] target = key == null ? USER_KEYS_END : key;
        it.seek(target);
        if (!it.isValid()) {
            it.seekToLast(); // nothing at or after target, so the last key is before it
        } else if (!(inclusive && key != null && Arrays.equals(it.key(), key))) {
            it.prev();
        }
    }

    @Override
    public void close() {
        coherence.close(); // writes waiting for followers fail rather than hold the close up
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                logCheck.awaitReported(LOG_CHECK_WAIT_MILLIS);
                db.close();
                InProcessLocks.unlock(inProcessLock); // after the close: the kernel's lock is gone by now
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    @FunctionalInterface
    private interface DbCall<T> {
        T call() throws IOException;
    }

    private <T> T read(DbCall<T> call) {
        lifecycle.readLock().lock();
        try {
            checkOpen();
            return call.call();
        } catch (IOException e) {
            throw failure(e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private PartyException failure(IOException e) {
        return new PartyException("LevelDB failed in " + dir + ": " + e.getMessage(), e);
    }

    private <T> T write(DbCall<T> call) {
        return read(() -> {
            writeLock.lock();
            try {
                return call.call();
            } finally {
                writeLock.unlock();
            }
        });
    }

    /**
     * Sets what to run, once, after LevelDB failed a write, as soon as the {@link DiskReserve} is
     * free: the owner of the term ends it, which closes this store, on a thread of its own.
     *
     * <p>Why: after a failed write LevelDB is in a state nobody can tell. The Java engine refuses
     * every later write once a background compaction failed; the native one does after some
     * failures and not others; and a log record half written may hide the records after it from
     * the next replay. Opening the database again replays the log as far as it is whole and starts
     * a new one, so the next leader (this process again, if it wins) works on a database whose
     * state is known. Until the reserve is free no process could open it as leader, so this one
     * goes on serving reads meanwhile.
     */
    void onWriteFailure(Runnable action) {
        onWriteFailure = action;
    }

    /** A write to LevelDB. */
    @FunctionalInterface
    private interface DbWrite {
        void run() throws IOException;
    }

    /**
     * Runs {@code write}, and if LevelDB fails it, has the term end (see {@link #onWriteFailure});
     * only writes, since a read that fails on a damaged table leaves LevelDB as it was.
     */
    private void toLevelDb(DbWrite write) throws IOException {
        try {
            write.run();
        } catch (IOException | RuntimeException e) {
            writeFailed(e);
            throw e;
        } catch (InternalError e) { // the Java engine's write into a mapped page the filesystem could not back
            writeFailed(e);
            throw new IOException(e.toString(), e);
        }
    }

    private void writeFailed(Throwable e) {
        if (writeFailed.compareAndSet(false, true)) {
            log.warn("LevelDB failed a write in {}: this process ends its term once {} bytes are free, and the next"
                    + " leader opens the database again", dir, DiskReserve.bytes(), e);
            Thread ender = new Thread(this::endTermOnceReserveFree, "levelparty-write-failure " + dir);
            ender.setDaemon(true);
            ender.start();
        }
    }

    private void endTermOnceReserveFree() {
        while (!closed && DiskReserve.refusalToLead(dir) != null) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RESERVE_POLL_MILLIS));
        }
        if (!closed) {
            onWriteFailure.run();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new TermEndedException("The store of " + dir + " is closed");
        }
    }

    @Override
    public String toString() {
        return "LocalStore[" + dir + (closed ? ", closed]" : "]");
    }
}
