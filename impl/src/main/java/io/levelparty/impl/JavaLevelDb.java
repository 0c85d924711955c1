package io.levelparty.impl;

import io.levelparty.spi.StoreWrite;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.iq80.leveldb.DBException;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.ReadOptions;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;
import org.iq80.leveldb.impl.DbImpl;
import org.iq80.leveldb.table.BloomFilterPolicy;

/**
 * The Java engine: pcmind's port of LevelDB 1.22 to Java ({@code io.github.pcmind:leveldb}), with
 * Snappy compression in Java too, so it runs where leveldbjni's native library does not. It writes
 * the files of LevelDB's format, its tables named as LevelDB 1.8 names them (see
 * {@link TableNamingEnv}), and locks the directory's {@code LOCK} file with
 * {@link java.nio.channels.FileChannel#tryLock()}, which on Linux is the same {@code fcntl} lock
 * LevelDB takes: native and Java processes exclude one another.
 *
 * <p>The port reports failures as unchecked {@link DBException}s; they become {@link IOException}s
 * here, as the native engine's are.
 */
final class JavaLevelDb implements LevelDb {
    /** Bits of Bloom filter per key, as LevelDB's own tools and Node's {@code level} use: native LevelDB 1.8 skips the filters. */
    private static final int BLOOM_BITS_PER_KEY = 10;

    /** Writes as the native engine's default does: to the log, without waiting for the disk. */
    private static final WriteOptions WRITE_OPTIONS = new WriteOptions();
    /** Writes that return once the log is on disk. */
    private static final WriteOptions SYNCED_WRITE_OPTIONS = new WriteOptions().sync(true);

    private final DbImpl db;
    private final ReadOptions readOptions = new ReadOptions().verifyChecksums(true);

    private JavaLevelDb(DbImpl db) {
        this.db = db;
    }

    /**
     * Opens the database in {@code dir}, creating it if missing; if {@code mustBeNew}, fails unless
     * it is created. {@code writeBufferBytes} is the memtable's size.
     */
    static LevelDb open(Path dir, boolean mustBeNew, long writeBufferBytes) throws IOException {
        Options options = new Options().createIfMissing(true).errorIfExists(mustBeNew)
                .writeBufferSize(Math.toIntExact(writeBufferBytes))
                .filterPolicy(new BloomFilterPolicy(BLOOM_BITS_PER_KEY));
        try {
            return new JavaLevelDb(new DbImpl(options, dir.toString(), new TableNamingEnv()));
        } catch (IOException e) {
            // The port's FileLock: "Unable to acquire lock on '…/LOCK'", held elsewhere or not ours to open.
            if (String.valueOf(e.getMessage()).startsWith("Unable to acquire lock")) {
                throw new LockUnavailableException(e.getMessage(), e);
            }
            throw e;
        } catch (DBException e) {
            throw failure(e);
        } catch (NoSuchMethodError e) {
            throw new IllegalStateException("The Java LevelDB engine met an older org.iq80.leveldb API first on the "
                    + "class path, such as the copy inside leveldbjni-all: io.github.pcmind:leveldb-api must come "
                    + "before leveldbjni-all", e);
        }
    }

    private static IOException failure(RuntimeException e) {
        return new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }

    /** A call of the port, whose failures are unchecked. */
    @FunctionalInterface
    private interface PortCall<T> {
        T call();
    }

    /** Returns what {@code call} returns, its failures as {@link IOException}s. */
    private static <T> T call(PortCall<T> call) throws IOException {
        try {
            return call.call();
        } catch (DBException e) {
            throw failure(e);
        }
    }

    @Override
    public byte[] get(byte[] key) throws IOException {
        return call(() -> db.get(key, readOptions));
    }

    @Override
    public void put(byte[] key, byte[] value, boolean sync) throws IOException {
        call(() -> db.put(key, value, sync ? SYNCED_WRITE_OPTIONS : WRITE_OPTIONS));
    }

    @Override
    public void delete(byte[] key, boolean sync) throws IOException {
        call(() -> db.delete(key, sync ? SYNCED_WRITE_OPTIONS : WRITE_OPTIONS));
    }

    @Override
    public void write(List<StoreWrite> writes, boolean sync) throws IOException {
        try (WriteBatch batch = db.createWriteBatch()) {
            for (StoreWrite w : writes) {
                if (w.isDelete()) {
                    batch.delete(w.key());
                } else {
                    batch.put(w.key(), w.value());
                }
            }
            call(() -> db.write(batch, sync ? SYNCED_WRITE_OPTIONS : WRITE_OPTIONS));
        }
    }

    @Override
    public Cursor cursor() throws IOException {
        return call(() -> new JavaCursor(db.iterator(readOptions)));
    }

    @Override
    public void compactRange(byte[] from, byte[] to) throws IOException {
        call(() -> {
            db.compactRange(from, to);
            return null;
        });
    }

    @Override
    public void close() {
        db.close();
    }

    /**
     * LevelDB's cursor over the port's iterator, which works like a {@link java.util.ListIterator}
     * (it stands between entries, and {@code next()} or {@code prev()} returns the entry it
     * crosses): {@link #current} is the entry last crossed, which is the one the cursor is at.
     */
    private static final class JavaCursor implements Cursor {
        private final DBIterator it;
        private Map.Entry<byte[], byte[]> current;

        JavaCursor(DBIterator it) {
            this.it = it;
        }

        @Override
        public void seek(byte[] key) throws IOException {
            current = call(() -> {
                it.seek(key);
                return forward();
            });
        }

        @Override
        public void seekToFirst() throws IOException {
            current = call(() -> {
                it.seekToFirst();
                return forward();
            });
        }

        @Override
        public void seekToLast() throws IOException {
            current = call(() -> {
                it.seekToLast();
                return backward();
            });
        }

        @Override
        public boolean isValid() {
            return current != null;
        }

        @Override
        public byte[] key() {
            return current.getKey();
        }

        @Override
        public byte[] value() {
            return current.getValue();
        }

        @Override
        public void next() throws IOException {
            current = call(this::forward);
        }

        @Override
        public void prev() throws IOException {
            current = call(this::backward);
        }

        /** Returns the entry after the position, moving past it, or null at the end. */
        private Map.Entry<byte[], byte[]> forward() {
            return it.hasNext() ? it.next() : null;
        }

        /** Returns the entry before the position, moving back past it, or null at the start. */
        private Map.Entry<byte[], byte[]> backward() {
            return it.hasPrev() ? it.prev() : null;
        }

        @Override
        public void close() {
            it.close();
        }
    }
}
