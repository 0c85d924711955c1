package io.levelparty.impl;

import io.levelparty.spi.StoreWrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.fusesource.leveldbjni.internal.NativeDB;
import org.fusesource.leveldbjni.internal.NativeIterator;
import org.fusesource.leveldbjni.internal.NativeOptions;
import org.fusesource.leveldbjni.internal.NativeReadOptions;
import org.fusesource.leveldbjni.internal.NativeWriteBatch;
import org.fusesource.leveldbjni.internal.NativeWriteOptions;

/**
 * The native engine: LevelDB 1.8, the C++ library inside leveldbjni, through leveldbjni's own
 * bindings (its {@code org.iq80.leveldb} facade would add a copy per call and hide the iterator's
 * native moves). LevelDB locks the directory's {@code LOCK} file with {@code fcntl}, and refuses a
 * second open of the directory in this process too.
 */
final class NativeLevelDb implements LevelDb {
    private final NativeDB db;
    private final NativeReadOptions readOptions = new NativeReadOptions().verifyChecksums(true);
    private final NativeWriteOptions writeOptions = new NativeWriteOptions();
    private final NativeWriteOptions syncedWriteOptions = new NativeWriteOptions().sync(true);

    private NativeLevelDb(NativeDB db) {
        this.db = db;
    }

    /**
     * Loads leveldbjni's native library, once per process.
     *
     * @throws LinkageError if it cannot be loaded on this platform
     */
    static void load() {
        NativeDB.LIBRARY.load();
        deleteExtractedCopy();
    }

    /** The names leveldbjni's loader gives the copies it extracts: {@code libleveldbjni-64-1-<random>.8}. */
    private static final Pattern EXTRACTED_COPY = Pattern.compile("libleveldbjni-[0-9-]+\\.[0-9]+");
    /** A line of {@code /proc/self/maps}: address, permissions, offset, device, inode, then the path, if any. */
    private static final Pattern MAPPING = Pattern.compile("^\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\d+\\s+(/.+)$");

    /**
     * Deletes the copy of the library that leveldbjni's loader extracted into the temporary
     * directory for this process, now that it is loaded (a mapped library outlives its file): the
     * loader deletes it only at a normal exit, so every killed process left one of 750 KB behind
     * (a machine that ran the test suites had gathered 1,500). Only a file of this user, in
     * {@code java.io.tmpdir}, named as the loader names its copies, and mapped by this process, is
     * deleted; a library found elsewhere (a path the user set) is left alone.
     */
    private static void deleteExtractedCopy() {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8)) {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
            List<Path> copies = maps.map(MAPPING::matcher).filter(Matcher::matches).map(m -> Path.of(m.group(1)))
                    .filter(file -> tmp.equals(file.getParent()) && EXTRACTED_COPY.matcher(file.getFileName().toString()).matches())
                    .distinct().toList();
            for (Path copy : copies) {
                if (((Number) Files.getAttribute(copy, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue() == ThisProcess.UID) {
                    Files.deleteIfExists(copy);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or nothing to delete: the copy stays, as it did
        }
    }

    /**
     * Opens the database in {@code dir}, creating it if missing; if {@code mustBeNew}, fails unless
     * it is created. {@code writeBufferBytes} is the memtable's size.
     */
    static LevelDb open(Path dir, boolean mustBeNew, long writeBufferBytes) throws IOException {
        NativeOptions options = new NativeOptions().createIfMissing(true).errorIfExists(mustBeNew)
                .writeBufferSize(writeBufferBytes);
        try {
            return new NativeLevelDb(NativeDB.open(options, dir.toFile()));
        } catch (NativeDB.DBException e) {
            String message = String.valueOf(e.getMessage());
            // "IO error: lock …/LOCK: …", from this process or another; or a LOCK file this user may not open
            if (message.contains("IO error: lock ") && message.contains("LOCK")
                    || message.contains("LOCK") && message.contains("Permission denied")) {
                throw new LockUnavailableException(message, e);
            }
            throw e;
        }
    }

    @Override
    public byte[] get(byte[] key) throws IOException {
        return db.get(readOptions, key);
    }

    @Override
    public void put(byte[] key, byte[] value, boolean sync) throws IOException {
        db.put(sync ? syncedWriteOptions : writeOptions, key, value);
    }

    @Override
    public void delete(byte[] key, boolean sync) throws IOException {
        db.delete(sync ? syncedWriteOptions : writeOptions, key);
    }

    @Override
    public void write(List<StoreWrite> writes, boolean sync) throws IOException {
        NativeWriteBatch batch = new NativeWriteBatch();
        try {
            for (StoreWrite w : writes) {
                if (w.isDelete()) {
                    batch.delete(w.key());
                } else {
                    batch.put(w.key(), w.value());
                }
            }
            db.write(sync ? syncedWriteOptions : writeOptions, batch);
        } finally {
            batch.delete();
        }
    }

    @Override
    public Cursor cursor() {
        return new NativeCursor(db.iterator(readOptions));
    }

    @Override
    public void compactRange(byte[] from, byte[] to) throws IOException {
        db.compactRange(from, to);
    }

    @Override
    public void close() {
        db.delete();
    }

    private static final class NativeCursor implements Cursor {
        private final NativeIterator it;

        NativeCursor(NativeIterator it) {
            this.it = it;
        }

        @Override
        public void seek(byte[] key) throws IOException {
            it.seek(key);
        }

        @Override
        public void seekToFirst() throws IOException {
            it.seekToFirst();
        }

        @Override
        public void seekToLast() throws IOException {
            it.seekToLast();
        }

        @Override
        public boolean isValid() {
            return it.isValid();
        }

        @Override
        public byte[] key() throws IOException {
            return it.key();
        }

        @Override
        public byte[] value() throws IOException {
            return it.value();
        }

        @Override
        public void next() throws IOException {
            it.next();
        }

        @Override
        public void prev() throws IOException {
            it.prev();
        }

        @Override
        public void close() {
            it.delete();
        }
    }
}
