package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.spi.KeyRange;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What LevelDB's recovery drops from a damaged write-ahead log is told before it is dropped: a
 * torn last record opens with a warning, damage followed by readable records is reported with a
 * copy of the log kept, and the zero-filled tail a killed writer leaves is no damage at all.
 */
class DamagedLogTest {
    private static final int KEYS = 1000;

    @TempDir
    Path dir;

    /** Writes KEYS keys and closes, leaving them in the log only (LevelDB writes no table at close). */
    private Path writeKeys() throws IOException {
        Path db = dir.resolve("db");
        LocalStore store = LocalStore.tryOpen(db);
        for (int i = 0; i < KEYS; i++) {
            store.put(key(i), new byte[100]);
        }
        store.close();
        return onlyLog(db);
    }

    private static Path onlyLog(Path db) throws IOException {
        try (Stream<Path> files = Files.list(db)) {
            List<Path> logs = files.filter(f -> f.getFileName().toString().matches("[0-9]+\\.log")).toList();
            assertEquals(1, logs.size(), "one log: " + logs);
            return logs.get(0);
        }
    }

    private static int userKeys(LocalStore store) {
        return (int) store.count(KeyRange.ALL);
    }

    @Test
    void anIntactLogIsNoDamage() throws IOException {
        Path log = writeKeys();
        assertNull(LogRecoveryCheck.check(log));
        LocalStore.tryOpen(log.getParent()).close();
        assertFalse(levelDbDropped(log.getParent()));
    }

    /** A damaged second fragment loses the whole record it belongs to, and LevelDB sees damage too. */
    @Test
    void damageInTheMiddleOfARecordLosesAllOfIt() throws IOException {
        Path db = dir.resolve("db");
        LocalStore store = LocalStore.tryOpen(db);
        store.put(key(0), new byte[100_000]); // fragments in four blocks
        store.put(key(1), new byte[100]);
        store.close();
        Path log = onlyLog(db);
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "rw")) {
            file.seek(40_000);
            file.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        LogRecoveryCheck.Damage damage = LogRecoveryCheck.check(log);
        assertNotNull(damage);
        assertTrue(damage.offset() < 32 << 10, "the record's first fragment is lost too: " + damage);
        assertTrue(damage.recordsAfter() >= 1, damage.toString());
        store = LocalStore.tryOpen(db);
        try {
            assertNull(store.get(key(0)));
            assertNotNull(store.get(key(1)));
        } finally {
            store.close();
        }
        assertTrue(levelDbDropped(db));
    }

    @Test
    void aTornLastRecordOpensAndOnlyItIsDropped() throws IOException {
        Path log = writeKeys();
        long length = Files.size(log);
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "rw")) {
            file.setLength(length - 50);
        }
        LogRecoveryCheck.Damage damage = LogRecoveryCheck.check(log);
        assertNotNull(damage, "a torn record is damage");
        assertTrue(damage.isTornTail(), damage.toString());
        assertTrue(damage.offset() > length - 4096 && damage.bytes() < 4096, damage.toString());

        LocalStore store = LocalStore.tryOpen(log.getParent());
        try {
            assertTrue(levelDbDropped(log.getParent()), "LevelDB agrees it dropped something");
            assertEquals(KEYS - 1, userKeys(store), "only the torn write is lost");
        } finally {
            store.close();
        }
        assertEquals(List.of(), evidence(log.getParent()), "no copy kept of a log that only lost its torn end");
    }

    @Test
    void damageBeforeReadableRecordsIsReportedAndTheLogKept() throws IOException {
        Path log = writeKeys();
        long length = Files.size(log);
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "rw")) {
            byte[] noise = new byte[64];
            new Random(7).nextBytes(noise);
            file.seek(length / 2);
            file.write(noise);
        }
        byte[] damagedBytes = Files.readAllBytes(log);
        LogRecoveryCheck.Damage damage = LogRecoveryCheck.check(log);
        assertNotNull(damage);
        assertTrue(damage.recordsAfter() > 100, damage.toString());
        assertTrue(damage.offset() <= length / 2 && damage.offset() > length / 2 - 200, damage.toString());

        LocalStore store = LocalStore.tryOpen(log.getParent());
        int survived;
        try {
            survived = userKeys(store);
        } finally {
            store.close();
        }
        assertTrue(survived < KEYS && survived > KEYS / 2, "LevelDB dropped the damaged records: " + survived);
        assertTrue(levelDbDropped(log.getParent()), "LevelDB agrees it dropped something");
        Path kept = log.resolveSibling(log.getFileName() + ".damaged");
        assertEquals(List.of(kept), evidence(log.getParent()));
        assertArrayEquals(damagedBytes, Files.readAllBytes(kept), "the log as it was before recovery");
        LocalStore.tryOpen(log.getParent()).close(); // LevelDB opens the directory with the copy in it
    }

    @Test
    void theTailOfAWriterKilledMidWriteIsNoLoss() throws Exception {
        Path db = Files.createDirectory(dir.resolve("db"));
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LogWriterChild.class.getName(), db.toString())
                .redirectErrorStream(true).start();
        try {
            assertEquals('r', writer.getInputStream().read(), "the writer opened the database");
            Poll.until(() -> logBytesWritten(db) > 200 << 10, "the writer to write 200 KiB of log");
        } finally {
            writer.destroyForcibly(); // SIGKILL, in the middle of its writes
            writer.waitFor();
        }
        Path log = onlyLog(db);
        LogRecoveryCheck.Damage damage = LogRecoveryCheck.check(log);
        assertTrue(damage == null || damage.isTornTail(), "no loss reported: " + damage);
        LocalStore.tryOpen(db).close();
        assertEquals(damage != null, levelDbDropped(db), "LevelDB agrees: " + damage);
        assertEquals(List.of(), evidence(db));
    }

    /** The bytes of log written so far, short of the zeros the writer reserved ahead. */
    private static long logBytesWritten(Path db) {
        try (Stream<Path> files = Files.list(db)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".log")) {
                    byte[] bytes = Files.readAllBytes(f);
                    int end = bytes.length;
                    while (end > 0 && bytes[end - 1] == 0) {
                        end--;
                    }
                    return end;
                }
            }
            return 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Whether LevelDB's own log of its last open says that its recovery dropped bytes. */
    private static boolean levelDbDropped(Path db) throws IOException {
        return Files.readString(db.resolve("LOG")).contains("dropping");
    }

    private static List<Path> evidence(Path db) throws IOException {
        try (Stream<Path> files = Files.list(db)) {
            return files.filter(f -> f.getFileName().toString().contains(".damaged")).toList();
        }
    }

    private static byte[] key(int i) {
        return String.format("key%05d", i).getBytes(StandardCharsets.UTF_8);
    }
}
