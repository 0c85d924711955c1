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
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells what LevelDB's recovery is about to drop from a directory's write-ahead logs, before it
 * drops it without a word (LevelDB skips what it cannot read, and with its paranoid checks on
 * refuses to open even the torn last record a killed writer leaves).
 *
 * <p>Each {@code NNNNNN.log} is read as LevelDB reads it: 32 KiB blocks of records, each with a
 * 7-byte header (masked CRC32C, length, type); an unreadable record costs the rest of its block;
 * a zero header is space the writer reserved and has not filled. Damage after which no readable
 * record follows is a <em>torn tail</em>: the last write of a process that stopped while writing
 * it. It is logged at WARN, and the database opens as LevelDB recovers it. Damage followed by
 * readable records means that writes in between, acknowledged long ago, are lost: before LevelDB
 * recovers (and then deletes) the log, a copy is made beside it as {@code NNNNNN.log.damaged}
 * (LevelDB leaves files of that name alone), and the loss is logged at ERROR with the offsets, so
 * that an operator learns of it and keeps what can be salvaged. The party still opens: refusing
 * would stop every process of it for bytes no tool can read back.
 *
 * <p>The check runs before the lock is taken, since LevelDB recovers as it takes it; a check of
 * a directory whose lock this process then does not win is {@linkplain #discard() discarded}.
 */
final class LogRecoveryCheck {
    private static final Logger log = LoggerFactory.getLogger(LogRecoveryCheck.class);
    private static final int BLOCK_BYTES = 32 << 10;
    private static final int HEADER_BYTES = 7;
    private static final int FULL_RECORD_TYPE = 1;
    private static final int FIRST_RECORD_TYPE = 2;
    private static final int LAST_RECORD_TYPE = 4;
    private static final String EVIDENCE_SUFFIX = ".damaged";

    /** What recovery drops from one log file: bytes from {@code offset}, before {@code recordsAfter} readable records. */
    record Damage(Path file, long offset, long bytes, int recordsAfter) {
        boolean isTornTail() {
            return recordsAfter == 0;
        }
    }

    private final List<Damage> damage;
    /** Copies of the logs that lose records, made before LevelDB reads them, under a name of this process. */
    private final List<Path> copies;

    private LogRecoveryCheck(List<Damage> damage, List<Path> copies) {
        this.damage = damage;
        this.copies = copies;
    }

    /** Reads every log in {@code dir}, and copies those that would lose records; never fails the open. */
    static LogRecoveryCheck before(Path dir) {
        List<Damage> damage = new ArrayList<>();
        List<Path> copies = new ArrayList<>();
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir, "[0-9]*.log")) {
            for (Path file : logs) {
                Damage found = check(file);
                if (found == null) {
                    continue;
                }
                damage.add(found);
                if (!found.isTornTail()) {
                    Path copy = file.resolveSibling(file.getFileName() + EVIDENCE_SUFFIX + "-" + ThisProcess.PID);
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                    copies.add(copy);
                }
            }
        } catch (NoSuchFileException newDatabase) {
            // LevelDB creates it
        } catch (IOException e) {
            log.warn("Could not check LevelDB's logs in {} before recovering them: {}", dir, e.toString());
        }
        return new LogRecoveryCheck(damage, copies);
    }

    /** Reports the damage of a database this process has opened, and keeps the copies under their final names. */
    void opened() {
        for (Damage d : damage) {
            if (d.isTornTail()) {
                log.warn("LevelDB dropped the incomplete last record of {}: {} bytes from offset {}, a write cut "
                        + "off when the process making it stopped", d.file(), d.bytes(), d.offset());
            }
        }
        for (Path copy : copies) {
            String name = copy.getFileName().toString();
            Path kept = copy.resolveSibling(name.substring(0, name.lastIndexOf('-')));
            Damage d = damage.stream().filter(x -> kept.equals(x.file().resolveSibling(x.file().getFileName()
                    + EVIDENCE_SUFFIX))).findFirst().orElseThrow();
            try {
                Files.move(copy, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                log.warn("Could not keep the copy {} as {}: {}", copy, kept, e.toString());
            }
            log.error("LevelDB's log {} is damaged: {} bytes from offset {} cannot be read, and {} records "
                    + "after them can; the writes in those bytes are lost. A copy of the log as it was is kept "
                    + "at {}", d.file(), d.bytes(), d.offset(), d.recordsAfter(), kept);
        }
    }

    /** Deletes the copies of a check whose database another process opened. */
    void discard() {
        for (Path copy : copies) {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                log.debug("Could not delete {}: {}", copy, e.toString());
            }
        }
    }

    /**
     * Returns what recovery would drop from {@code file}, or null if it reads to the end; a
     * reserved (zero) region at the end is not damage.
     */
    static Damage check(Path file) throws IOException {
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
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
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
        }
        if (lostAt >= 0) {
            return new Damage(file, lostAt, lostBytes, recordsAfter);
        }
        return pendingBytes > 0 && !pendingZeros ? new Damage(file, pendingAt, pendingBytes, 0) : null;
    }

    private static boolean isZero(ByteBuffer block, int from, int to) {
        for (int i = from; i < to; i++) {
            if (block.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** LevelDB's record checksum: CRC32C of the type byte and the data, rotated and offset as in crc32c::Mask. */
    private static int maskedCrc(CRC32C crc, ByteBuffer block, int from, int length) {
        crc.reset();
        crc.update(block.array(), from, length);
        int value = (int) crc.getValue();
        return ((value >>> 15) | (value << 17)) + 0xa282ead8;
    }
}
