package io.levelparty.impl;

import io.levelparty.PartyClosedException;
import io.levelparty.PartyException;
import io.levelparty.PartyUnavailableException;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.fusesource.leveldbjni.internal.NativeDB;
import org.fusesource.leveldbjni.internal.NativeIterator;
import org.fusesource.leveldbjni.internal.NativeOptions;
import org.fusesource.leveldbjni.internal.NativeReadOptions;
import org.fusesource.leveldbjni.internal.NativeWriteBatch;
import org.fusesource.leveldbjni.internal.NativeWriteOptions;

/**
 * The leader's store: LevelDB through leveldbjni's native binding.
 *
 * <p>Implementation notes. Native handles are dangerous: touching an iterator after the database is
 * freed aborts the JVM. So every iterator lives inside a single call, and every call holds the
 * read side of {@link #lifecycle} while it touches the database; {@link #close()} takes the write
 * side, so it waits for calls in progress and no call starts on a freed database. Writes are
 * serialized by {@link #writeLock}: they read the previous value and write under it, which makes
 * {@code put}'s returned previous value and compare-and-set atomic (this process is the only
 * writer of the directory, since it holds LevelDB's lock). Reads take no write lock: LevelDB gives
 * each read and each iterator a consistent snapshot, so a scan page reflects one state.
 *
 * <p>Keys that begin with {@code 0xFF} are the store's own records; navigation and scans stop
 * before them, which is simple because they sort after every user key.
 */
final class LocalStore implements PartyStore {
    /** Every reserved key starts with this byte, which never begins a UTF-8 string. */
    static final byte RESERVED_PREFIX = (byte) 0xFF;
    private static final byte[] RESERVED_START = {RESERVED_PREFIX};
    /** A scan page stops after this many bytes of keys and values, whatever its entry limit. */
    static final int MAX_PAGE_BYTES = 1 << 20;

    private final Path dir;
    private final NativeDB db;
    private final NativeReadOptions readOptions = new NativeReadOptions();
    private final NativeWriteOptions writeOptions = new NativeWriteOptions();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;

    private LocalStore(Path dir, NativeDB db) {
        this.dir = dir;
        this.db = db;
    }

    /**
     * Opens LevelDB in {@code dir}, creating it and its parents if missing.
     *
     * @return the store, or {@code null} if another process or another open in this process holds
     *     the directory's lock
     * @throws PartyUnavailableException if the directory cannot be created or opened for another reason
     */
    static LocalStore tryOpen(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new PartyUnavailableException("Cannot open " + dir + ": it is not a directory", null);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new PartyUnavailableException("Cannot create directory " + dir + ": " + e, e);
        }
        try {
            return new LocalStore(dir, NativeDB.open(new NativeOptions().createIfMissing(true), dir.toFile()));
        } catch (IOException e) {
            if (isLockHeld(e)) {
                return null;
            }
            throw new PartyUnavailableException("Cannot open LevelDB in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** leveldbjni reports a held lock as "IO error: lock …/LOCK: …", from this process or another. */
    private static boolean isLockHeld(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("IO error: lock ") && message.contains("LOCK");
    }

    Path dir() {
        return dir;
    }

    static boolean isReserved(byte[] key) {
        return key.length > 0 && key[0] == RESERVED_PREFIX;
    }

    @Override
    public byte[] get(byte[] key) {
        return read(() -> db.get(readOptions, key));
    }

    @Override
    public byte[] put(byte[] key, byte[] value) {
        return write(() -> {
            byte[] previous = db.get(readOptions, key);
            db.put(writeOptions, key, value);
            return previous;
        });
    }

    @Override
    public byte[] delete(byte[] key) {
        return write(() -> {
            byte[] previous = db.get(readOptions, key);
            if (previous != null) {
                db.delete(writeOptions, key);
            }
            return previous;
        });
    }

    @Override
    public boolean compareAndSet(byte[] key, byte[] expected, byte[] update) {
        return write(() -> {
            byte[] current = db.get(readOptions, key);
            if (!Arrays.equals(current, expected)) {
                return false;
            }
            if (update == null) {
                if (current != null) {
                    db.delete(writeOptions, key);
                }
            } else {
                db.put(writeOptions, key, update);
            }
            return true;
        });
    }

    @Override
    public void batch(List<StoreWrite> writes) {
        write(() -> {
            NativeWriteBatch batch = new NativeWriteBatch();
            try {
                for (StoreWrite w : writes) {
                    if (w.isDelete()) {
                        batch.delete(w.key());
                    } else {
                        batch.put(w.key(), w.value());
                    }
                }
                db.write(writeOptions, batch);
            } finally {
                batch.delete();
            }
            return null;
        });
    }

    @Override
    public StoreEntry navigate(byte[] key, Relation relation) {
        return read(() -> {
            NativeIterator it = db.iterator(readOptions);
            try {
                if (relation.ascending()) {
                    seekAtOrAfter(it, key, relation.inclusive());
                } else {
                    seekAtOrBefore(it, key, relation.inclusive());
                }
                if (!it.isValid()) {
                    return null;
                }
                byte[] found = it.key();
                return isReserved(found) ? null : new StoreEntry(found, it.value());
            } finally {
                it.delete();
            }
        });
    }

    @Override
    public List<StoreEntry> scan(KeyRange range, boolean descending, int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return read(() -> {
            List<StoreEntry> page = new ArrayList<>(Math.min(limit, 256));
            NativeIterator it = db.iterator(readOptions);
            try {
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
                return page;
            } finally {
                it.delete();
            }
        });
    }

    @Override
    public long count(KeyRange range) {
        return read(() -> {
            NativeIterator it = db.iterator(readOptions);
            try {
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
            } finally {
                it.delete();
            }
        });
    }

    /** Positions {@code it} at the first key after {@code key} (or at it, if inclusive); null means the start. */
    private static void seekAtOrAfter(NativeIterator it, byte[] key, boolean inclusive) throws NativeDB.DBException {
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
     * means past every user key, that is before the reserved records.
     */
    private static void seekAtOrBefore(NativeIterator it, byte[] key, boolean inclusive) throws NativeDB.DBException {
        byte[] target = key == null ? RESERVED_START : key;
        it.seek(target);
        if (!it.isValid()) {
            it.seekToLast(); // nothing at or after target, so the last key is before it
        } else if (!(inclusive && key != null && Arrays.equals(it.key(), key))) {
            it.prev();
        }
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                db.delete();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    @FunctionalInterface
    private interface NativeCall<T> {
        T call() throws NativeDB.DBException;
    }

    private <T> T read(NativeCall<T> call) {
        lifecycle.readLock().lock();
        try {
            checkOpen();
            return call.call();
        } catch (NativeDB.DBException e) {
            throw new PartyException("LevelDB failed in " + dir + ": " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private <T> T write(NativeCall<T> call) {
        return read(() -> {
            writeLock.lock();
            try {
                return call.call();
            } finally {
                writeLock.unlock();
            }
        });
    }

    private void checkOpen() {
        if (closed) {
            throw new PartyClosedException("The store of " + dir + " is closed");
        }
    }

    @Override
    public String toString() {
        return "LocalStore[" + dir + (closed ? ", closed]" : "]");
    }
}
