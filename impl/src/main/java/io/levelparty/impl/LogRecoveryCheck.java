package io.levelparty.impl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells what LevelDB's recovery drops from a directory's write-ahead logs, which it does without a
 * word (LevelDB skips what it cannot read, and with its paranoid checks on refuses to open even
 * the torn last record a killed writer leaves).
 *
 * <p>Each {@code NNNNNN.log} is read as LevelDB reads it: 32 KiB blocks of records, each with a
 * 7-byte header (masked CRC32C, length, type); an unreadable record costs the rest of its block;
 * a zero header is space the writer reserved and has not filled. Damage after which no readable
 * record follows is a <em>torn tail</em>: the last write of a process that stopped while writing
 * it. It is logged at WARN, and the database opens as LevelDB recovers it. Damage followed by
 * readable records means that writes in between, acknowledged long ago, are lost: a copy of the log
 * as it was is kept beside it as {@code NNNNNN.log.damaged} (LevelDB leaves files of that name
 * alone), and the loss is logged at ERROR with the offsets, so that an operator learns of it and
 * keeps what can be salvaged. The party still opens: refusing would stop every process of it for
 * bytes no tool can read back.
 *
 * <p>The logs are opened before LevelDB opens the database, which takes the lock and recovers the
 * logs at once, then deletes them; and they are read a second after it has (or at its close, if
 * sooner), on a thread of their own: the open descriptors keep the logs' bytes readable after the
 * deletion, so the check takes nothing from a failover (read in line, it cost a new leader 2 to 25
 * ms, and read at once beside the recovery, it slowed what followed on two CPUs). A check of a directory whose
 * lock this process does not win is {@linkplain #discard() discarded} unread.
 */
final class LogRecoveryCheck {
    private static final Logger log = LoggerFactory.getLogger(LogRecoveryCheck.class);
    private static final int BLOCK_BYTES = 32 << 10;
    private static final int HEADER_BYTES = 7;
    private static final int FULL_RECORD_TYPE = 1;
    private static final int FIRST_RECORD_TYPE = 2;
    private static final int LAST_RECORD_TYPE = 4;
    private static final String EVIDENCE_SUFFIX = ".damaged";
    /** The names of LevelDB's write-ahead logs in a directory. */
    static final String LOG_GLOB = "[0-9]*.log";
    private static final byte[] ZEROS = new byte[BLOCK_BYTES];
    /** How long after the open the logs are read, unless the store closes sooner. */
    private static final long READ_DELAY_MILLIS = 1_000;

    /** What recovery drops from one log file: bytes from {@code offset}, before {@code recordsAfter} readable records. */
    record Damage(Path file, long offset, long bytes, int recordsAfter) {
        boolean isTornTail() {
            return recordsAfter == 0;
        }
    }

    /** One log, open since before the recovery. */
    private record OpenLog(Path file, FileChannel channel) {}

    private final List<OpenLog> logs;
    /** The background check, once the database is open; done at once if there are no logs. */
    private volatile Thread reading;
    /** Opened when the store closes: the check reads at once. */
    private final CountDownLatch closing = new CountDownLatch(1);

    private LogRecoveryCheck(List<OpenLog> logs) {
        this.logs = logs;
    }

    /** Opens every log in {@code dir}, to be read once the database is open; never fails the open. */
    static LogRecoveryCheck before(Path dir) {
        List<OpenLog> logs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, LOG_GLOB)) {
            for (Path file : files) {
                try {
                    logs.add(new OpenLog(file, FileChannel.open(file, StandardOpenOption.READ)));
                } catch (NoSuchFileException gone) {
                    // recovered by a process that won the lock meanwhile
                }
            }
        } catch (NoSuchFileException newDatabase) {
            // LevelDB creates it
        } catch (IOException e) {
            log.warn("Could not check LevelDB's logs in {} before recovering them: {}", dir, e.toString());
        }
        return new LogRecoveryCheck(logs);
    }

    /**
     * Starts reading the logs, now that this process has opened the database: reports what the
     * recovery dropped, and keeps a copy of each log that lost records before readable ones.
     */
    void opened() {
        if (logs.isEmpty()) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                // Past the rush of a failover, whose new leader and reconnecting followers need the CPUs.
                closing.await(READ_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // nobody interrupts this thread; read now
            }
            readAll();
        }, "levelparty-log-check");
        thread.setDaemon(true);
        reading = thread;
        thread.start();
    }

    /**
     * Waits until the logs are read and reported, at most {@code timeoutMillis}: the store waits
     * at its close, so that a process that opens and closes at once still reports its damage.
     */
    void awaitReported(long timeoutMillis) {
        closing.countDown();
        Thread thread = reading;
        if (thread == null) {
            return;
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (long left; thread.isAlive() && (left = deadline - System.nanoTime()) > 0; ) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true; // the wait is bounded; the caller keeps its interrupt
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes the logs unread: another process opened the database. */
    void discard() {
        logs.forEach(LogRecoveryCheck::closeQuietly);
    }

    private void readAll() {
        for (OpenLog open : logs) {
            try {
                Damage d = check(open.file(), open.channel());
                if (d != null && d.isTornTail()) {
                    log.warn("LevelDB dropped the incomplete last record of {}: {} bytes from offset {}, a write cut "
                            + "off when the process making it stopped", d.file(), d.bytes(), d.offset());
                } else if (d != null) {
                    Path kept = keepCopy(open);
                    log.error("LevelDB's log {} is damaged: {} bytes from offset {} cannot be read, and {} records "
                            + "after them can; the writes in those bytes are lost. A copy of the log as it was is kept "
                            + "at {}", d.file(), d.bytes(), d.offset(), d.recordsAfter(), kept);
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Could not check LevelDB's log {} after recovering it: {}", open.file(), e.toString());
            } finally {
                closeQuietly(open);
            }
        }
    }

    /** Copies the log as it was (LevelDB never writes a log it recovers), under a temporary name, then the kept one. */
    private static Path keepCopy(OpenLog open) throws IOException {
        Path kept = open.file().resolveSibling(open.file().getFileName() + EVIDENCE_SUFFIX);
        Path copy = kept.resolveSibling(kept.getFileName() + "-" + ThisProcess.PID);
        try (FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = open.channel().size();
            for (long at = 0; at < size; ) {
                at += open.channel().transferTo(at, size - at, out);
            }
        }
        Files.move(copy, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return kept;
    }

    private static void closeQuietly(OpenLog open) {
        try {
            open.channel().close();
        } catch (IOException e) {
            log.debug("Could not close {}: {}", open.file(), e.toString());
        }
    }

    /**
     * Returns what recovery would drop from {@code file}, or null if it reads to the end; a
     * reserved (zero) region at the end is not damage.
     */
    static Damage check(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return check(file, channel);
        }
    }

    /** {@link #check(Path)} of {@code file}, read through {@code channel}. */
    private static Damage check(Path file, FileChannel channel) throws IOException {
        long lostAt = -1; // where the first unreadable bytes followed by a readable record begin
        long lostBytes = 0;
        int recordsAfter = 0;
        long pendingAt = -1; // unreadable bytes no readable record has followed yet
        long pendingBytes = 0;
        boolean pendingZeros = true;
        boolean fragmentsLost = false; // whether the record being continued began in unreadable bytes
        long openAt = -1; // where the record whose first fragments were read so far begins
        long openBytes = 0;
        ByteBuffer block = ByteBuffer.allocate(BLOCK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        for (long blockStart = 0; ; blockStart += BLOCK_BYTES) {
            block.clear();
            while (block.hasRemaining() && channel.read(block, blockStart + block.position()) > 0) {
                // reads the whole block, or to the end of the file
            }
            int n = block.position();
            int pos = 0;
            while (pos < n) {
                if (n - pos < HEADER_BYTES && n == BLOCK_BYTES) {
                    break; // a full block's trailer, which LevelDB skips
                }
                int length = n - pos < HEADER_BYTES ? -1 : block.getShort(pos + 4) & 0xFFFF;
                int type = n - pos < HEADER_BYTES ? -1 : block.get(pos + 6) & 0xFF;
                boolean readable = length >= 0 && pos + HEADER_BYTES + length <= n && type >= 1
                        && type <= LAST_RECORD_TYPE && block.getInt(pos) == maskedCrc(crc, block, pos + 6, 1 + length);
                if (readable && (type == FIRST_RECORD_TYPE || type == FULL_RECORD_TYPE)) {
                    fragmentsLost = false;
                }
                if (readable && !fragmentsLost) {
                    openAt = type == FIRST_RECORD_TYPE ? blockStart + pos : type == LAST_RECORD_TYPE
                            || type == FULL_RECORD_TYPE ? -1 : openAt;
                    openBytes = openAt < 0 ? 0 : openBytes + HEADER_BYTES + length;
                    if (pendingBytes > 0) {
                        lostAt = lostAt < 0 ? pendingAt : lostAt;
                        lostBytes += pendingBytes;
                        pendingBytes = 0;
                    }
                    recordsAfter += lostAt < 0 ? 0 : 1;
                    pos += HEADER_BYTES + length;
                    continue;
                }
                // LevelDB skips the rest of the block (a reserved zero region, a torn header at the
                // end of the file, or a damaged record), or, readable as it is, the fragment of a
                // record whose start it skipped.
                int skipped = readable ? HEADER_BYTES + length : n - pos;
                if (pendingBytes == 0) {
                    pendingAt = blockStart + pos;
                    pendingZeros = true;
                }
                if (openAt >= 0) { // so is the record it interrupts, fragments read so far included
                    pendingAt = openAt;
                    pendingBytes += openBytes;
                    pendingZeros = false;
                    openAt = -1;
                }
                pendingBytes += skipped;
                pendingZeros &= isZero(block, pos, pos + skipped);
                fragmentsLost = true;
                pos += skipped;
            }
            if (n < BLOCK_BYTES) {
                break;
            }
        }
        if (lostAt >= 0) {
            return new Damage(file, lostAt, lostBytes, recordsAfter);
        }
        return pendingBytes > 0 && !pendingZeros ? new Damage(file, pendingAt, pendingBytes, 0) : null;
    }

    private static boolean isZero(ByteBuffer block, int from, int to) {
        // Arrays.mismatch compares words at a time, even before the JIT compiles this: a killed
        // writer's log ends in up to a mebibyte of zeros, which a failover reads.
        return Arrays.mismatch(block.array(), from, to, ZEROS, 0, to - from) < 0;
    }

    /** LevelDB's record checksum: CRC32C of the type byte and the data, rotated and offset as in crc32c::Mask. */
    private static int maskedCrc(CRC32C crc, ByteBuffer block, int from, int length) {
        crc.reset();
        crc.update(block.array(), from, length);
        int value = (int) crc.getValue();
        return ((value >>> 15) | (value << 17)) + 0xa282ead8;
    }
}
