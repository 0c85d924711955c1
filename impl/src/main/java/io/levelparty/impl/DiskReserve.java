package io.levelparty.impl;

import io.levelparty.PartyException;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The free space a leader keeps on the filesystem of its database, which writes may not eat into.
 *
 * <p>Why: leveldbjni's LevelDB writes its log and tables through {@code mmap}, and a write into a
 * mapping that the filesystem cannot back kills the process with SIGBUS, not an error; its
 * successor then dies the same way replaying the log. So a leader refuses writes, with an
 * exception that names the free space, once less than the reserve is free, which leaves room for
 * the log, the memtable flush and the compactions that the writes already accepted may cause; and
 * a process takes the lead only while the reserve is free. Reads go on meanwhile, and writes are
 * accepted again, by themselves, once space is freed.
 *
 * <p>What the reserve cannot do: keep space that another program takes. If something else fills
 * the filesystem to the last byte while LevelDB is still writing what it was given (a compaction,
 * the flush of a replayed log), the native engine dies of SIGBUS there, leader or not; nothing
 * acknowledged is lost (the log is in the kernel's page cache, or on disk), and another process
 * takes the lead once the reserve is free again. The Java engine's writes into such a page fail
 * with an error instead, and so do its compactions; LevelDB then refuses every write, so the
 * leader, which goes on serving reads, ends its term once the reserve is free again
 * ({@link LocalStore#onWriteFailure}), and the next leader opens the database afresh
 * ({@code FullFilesystemTest} fills a real filesystem on both engines).
 *
 * <p>The reserve is {@value #DEFAULT_BYTES} bytes unless the system property {@value #PROPERTY}
 * says otherwise. The free space is read (one {@code statvfs}) at most every
 * {@link #CHECK_NANOS}, which the reserve far outlasts at any write rate.
 */
final class DiskReserve {
    /** The system property that sets the reserve in bytes. */
    static final String PROPERTY = "levelparty.diskReserveBytes";
    /** The default reserve: more than the largest compaction LevelDB's default options make. */
    static final long DEFAULT_BYTES = 64L << 20;
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Path dir;
    /** When the space was last found sufficient, as System.nanoTime(). Guarded by the caller's write lock. */
    private long checkedAt;
    private boolean checked;

    DiskReserve(Path dir) {
        this.dir = dir;
    }

    /**
     * Returns the bytes free to this process on the filesystem of {@code dir}. {@code statvfs}
     * through {@link java.io.File#getUsableSpace()} costs microseconds, where a {@link FileStore}
     * reads the mount table first (a tenth of a millisecond, at every open and election); only its
     * answer of 0, which also stands for an error, is asked again the slow way.
     */
    private static long usableSpace(Path dir) throws IOException {
        long free = dir.toFile().getUsableSpace();
        return free > 0 ? free : Files.getFileStore(dir).getUsableSpace();
    }

    /** Returns the number of bytes to keep free. */
    static long bytes() {
        return Math.max(0, Long.getLong(PROPERTY, DEFAULT_BYTES));
    }

    /** Returns why a process may not take the lead of {@code dir}, or null if it may. */
    static String refusalToLead(Path dir) {
        try {
            long free = usableSpace(dir);
            return free < bytes() ? shortOf(dir, free) + "; not taking the lead, which replays and writes the log"
                    : null;
        } catch (IOException e) {
            return null; // opening the database reports what is wrong with the directory
        }
    }

    /**
     * Throws if less than the reserve is free. Called under the store's write lock, before each
     * write of a user's data.
     *
     * @throws PartyException naming the free space and the reserve; nothing was written
     */
    void checkBeforeWrite() {
        long now = System.nanoTime();
        if (checked && now - checkedAt < CHECK_NANOS) {
            return;
        }
        long free;
        try {
            free = usableSpace(dir);
        } catch (IOException e) {
            throw new PartyException("Cannot tell the free space of " + dir + ", so nothing was written: " + e, e);
        }
        if (free < bytes()) {
            checked = false;
            throw new PartyException(shortOf(dir, free) + ", so nothing was written; writes resume once space is freed");
        }
        checked = true;
        checkedAt = now;
    }

    private static String shortOf(Path dir, long free) {
        return "The filesystem of " + dir + " has " + free + " bytes free, less than the " + bytes()
                + " LevelParty keeps free (" + PROPERTY + ") so that LevelDB never runs out of space mid-write";
    }
}
