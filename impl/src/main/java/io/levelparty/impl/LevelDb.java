package io.levelparty.impl;

import io.levelparty.spi.StoreWrite;
import java.io.IOException;
import java.util.List;

/**
 * The LevelDB operations the leader's {@link LocalStore} uses, from either engine:
 * {@link NativeLevelDb} (LevelDB itself, through leveldbjni) or {@link JavaLevelDb} (a port of
 * LevelDB to Java). {@link LevelDbEngines} picks one. Both write the same files, so a directory
 * one engine wrote opens with the other.
 *
 * <p>Contract, shared by both: every read verifies the checksums of the table blocks it reads, and
 * a damaged block is an {@link IOException}, never a wrong value; {@link #write} is atomic; a {@link Cursor} reads one consistent state of the database, the one it was created
 * at. Failures are {@link IOException}s; the lock of a directory held by another open, in this
 * process or another, is a {@link LockUnavailableException}. No method may be called after
 * {@link #close()}, nor a cursor's after its own {@code close()}: the native engine would touch
 * freed memory.
 */
interface LevelDb extends AutoCloseable {
    /** Returns the value of {@code key}, or null if it has none. */
    byte[] get(byte[] key) throws IOException;

    /** Sets {@code key} to {@code value}; with {@code sync}, returns once the log is on disk. */
    void put(byte[] key, byte[] value, boolean sync) throws IOException;

    /** Removes {@code key}; with {@code sync}, returns once the log is on disk. */
    void delete(byte[] key, boolean sync) throws IOException;

    /**
     * Applies every one of {@code writes} at once, in their order; with {@code sync}, returns once
     * the log is on disk.
     */
    void write(List<StoreWrite> writes, boolean sync) throws IOException;

    /** Returns a cursor over the database as it is now, positioned nowhere (not valid) until it seeks. */
    Cursor cursor() throws IOException;

    /**
     * Rewrites the table files holding keys from {@code from} to {@code to} (null: unbounded),
     * dropping deleted and overwritten entries.
     */
    void compactRange(byte[] from, byte[] to) throws IOException;

    /** Closes the database and lets go of the directory's lock. */
    @Override
    void close();

    /**
     * A position in the keys of one state of the database, as LevelDB's own iterators work: valid
     * while it is at an entry; {@link #next()} and {@link #prev()} may be called only while valid.
     */
    interface Cursor extends AutoCloseable {
        /** Moves to the first key at or after {@code key}. */
        void seek(byte[] key) throws IOException;

        void seekToFirst() throws IOException;

        void seekToLast() throws IOException;

        boolean isValid();

        byte[] key() throws IOException;

        byte[] value() throws IOException;

        void next() throws IOException;

        void prev() throws IOException;

        @Override
        void close();
    }
}
