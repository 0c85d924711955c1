package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.PartyUnavailableException;
import io.levelparty.StorageEngine;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every case runs on both LevelDB engines. */
@ParameterizedClass
@EnumSource(value = StorageEngine.class, names = {"NATIVE", "JAVA"})
class LocalStoreTest {
    @Parameter
    StorageEngine engine;
    @TempDir
    Path dir;
    LocalStore store;

    @BeforeEach
    void open() {
        store = LocalStore.tryOpen(dir, engine);
        assertNotNull(store);
        assertEquals(engine, store.engine());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(StoreEntry e) {
        return e == null ? null : new String(e.key(), StandardCharsets.UTF_8);
    }

    private void putAll(String... keys) {
        for (String k : keys) {
            store.put(b(k), b("v" + k));
        }
    }

    /** Reserved records sort after every user key; navigation must never reach them. */
    private void addReservedRecord() {
        store.batch(List.of(StoreWrite.put(new byte[] {(byte) 0xFF, 1, 2}, b("internal"))));
    }

    /**
     * A second open of the directory in this process, through a link, finds it locked, whichever
     * engine tries, and leaves the first open's lock in place: fcntl locks belong to the process,
     * so neither the kernel nor a path-keyed table would stop it, and a probe of the lock through
     * the second path would release the first's.
     */
    @ParameterizedTest
    @EnumSource(value = StorageEngine.class, names = {"NATIVE", "JAVA"})
    void aSecondOpenThroughALinkFindsTheDirectoryLocked(StorageEngine second) throws Exception {
        store.put(b("k"), b("v"));
        Path link = Files.createSymbolicLink(dir.resolveSibling(dir.getFileName() + "-link"), dir);
        try {
            assertNull(LocalStore.tryOpen(link, second), "opened twice in one process through " + link);
            assertTrue(lockedInTheKernel(dir), "the first open's lock is gone");
            assertArrayEquals(b("v"), store.get(b("k")));
        } finally {
            Files.delete(link);
        }
    }

    /**
     * A {@code LOCK} that is a FIFO (put there by mistake, or by someone hostile) neither hangs an
     * open nor breaks the lock: opening a FIFO for writing only would block until a reader came.
     */
    @Test
    void aFifoInPlaceOfTheLockFileHangsNoOpen() throws Exception {
        Path other = dir.resolveSibling(dir.getFileName() + "-fifo");
        Files.createDirectory(other);
        try {
            Process mkfifo = new ProcessBuilder("mkfifo", other.resolve("LOCK").toString()).start();
            assertEquals(0, mkfifo.waitFor());
            LocalStore onFifo = CompletableFuture.supplyAsync(() -> LocalStore.tryOpen(other, engine))
                    .get(10, TimeUnit.SECONDS);
            assertNotNull(onFifo, "the open found its own FIFO lock held");
            try {
                onFifo.put(b("k"), b("v"));
                assertArrayEquals(b("v"), onFifo.get(b("k")));
            } finally {
                onFifo.close();
            }
        } finally {
            try (var files = Files.list(other)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(other);
        }
    }

    /** Whether the kernel lists a lock on {@code dir}'s LOCK file, as {@code /proc/locks} does. */
    private static boolean lockedInTheKernel(Path dir) throws IOException {
        long inode = ((Number) Files.getAttribute(dir.resolve("LOCK"), "unix:ino")).longValue();
        return Files.readAllLines(Path.of("/proc/locks")).stream()
                .anyMatch(line -> line.contains(":" + inode + " "));
    }

    @Test
    void navigationSkipsReservedKeysAtTheEnd() {
        putAll("b", "d");
        addReservedRecord();
        assertEquals("d", s(store.navigate(null, Relation.FLOOR)));
        assertEquals("d", s(store.navigate(null, Relation.LOWER)));
        assertEquals("b", s(store.navigate(null, Relation.CEILING)));
        assertNull(store.navigate(b("e"), Relation.CEILING));
        assertNull(store.navigate(b("d"), Relation.HIGHER));
        assertEquals("d", s(store.navigate(b("z"), Relation.FLOOR)));
        assertEquals(2, store.count(KeyRange.ALL));
        assertEquals(List.of("d", "b"), keys(store.scan(KeyRange.ALL, true, 10)));
        assertEquals(List.of("b", "d"), keys(store.scan(KeyRange.ALL, false, 10)));
    }

    @Test
    void navigationAroundExistingAndMissingKeys() {
        putAll("b", "d");
        assertEquals("b", s(store.navigate(b("b"), Relation.CEILING)));
        assertEquals("d", s(store.navigate(b("b"), Relation.HIGHER)));
        assertEquals("d", s(store.navigate(b("c"), Relation.CEILING)));
        assertEquals("b", s(store.navigate(b("c"), Relation.FLOOR)));
        assertEquals("b", s(store.navigate(b("d"), Relation.LOWER)));
        assertEquals("d", s(store.navigate(b("d"), Relation.FLOOR)));
        assertNull(store.navigate(b("b"), Relation.LOWER));
        assertNull(store.navigate(b("a"), Relation.FLOOR));
        assertEquals("d", s(store.navigate(b("zz"), Relation.LOWER)));
    }

    @Test
    void scansHonourBoundsDirectionAndLimit() {
        putAll("a", "b", "c", "d", "e");
        KeyRange bd = new KeyRange(b("b"), true, b("d"), false);
        assertEquals(List.of("b", "c"), keys(store.scan(bd, false, 10)));
        assertEquals(List.of("c", "b"), keys(store.scan(bd, true, 10)));
        KeyRange open = new KeyRange(b("b"), false, b("d"), true);
        assertEquals(List.of("c", "d"), keys(store.scan(open, false, 10)));
        assertEquals(List.of("d", "c"), keys(store.scan(open, true, 10)));
        assertEquals(List.of("e", "d"), keys(store.scan(KeyRange.ALL, true, 2)));
        assertEquals(3, store.count(new KeyRange(b("b"), true, b("d"), true)));
        assertEquals(List.of(), keys(store.scan(new KeyRange(b("bb"), true, b("bc"), true), false, 10)));
    }

    @Test
    void writesReturnWhatTheyReplaced() {
        assertNull(store.put(b("k"), b("1")));
        assertArrayEquals(b("1"), store.put(b("k"), b("2")));
        assertFalse(store.compareAndSet(b("k"), b("1"), b("3")));
        assertTrue(store.compareAndSet(b("k"), b("2"), b("3")));
        assertTrue(store.compareAndSet(b("k"), b("3"), null));
        assertNull(store.get(b("k")));
        assertTrue(store.compareAndSet(b("k"), null, b("4")));
        assertArrayEquals(b("4"), store.delete(b("k")));
        assertNull(store.delete(b("k")));
    }

    /** Either engine: LevelDB's fcntl lock does not keep a second open of one process out, so the store does. */
    @Test
    void secondOpenInTheSameProcessSeesTheLock() {
        assertNull(LocalStore.tryOpen(dir, StorageEngine.NATIVE));
        assertNull(LocalStore.tryOpen(dir, StorageEngine.JAVA));
        store.close();
        store = LocalStore.tryOpen(dir, other(engine));
        assertNotNull(store, "closing let go of the lock");
    }

    private static StorageEngine other(StorageEngine engine) {
        return engine == StorageEngine.NATIVE ? StorageEngine.JAVA : StorageEngine.NATIVE;
    }

    @Test
    void callsAfterCloseFailCleanly() {
        putAll("a");
        store.close();
        store.close();
        assertThrows(TermEndedException.class, () -> store.get(b("a")));
        assertThrows(TermEndedException.class, () -> store.scan(KeyRange.ALL, false, 1));
        store = LocalStore.tryOpen(dir, engine);
        assertArrayEquals(b("va"), store.get(b("a")), "data survives close and reopen");
    }

    /** A database records its storage format; one of a newer format is refused at open, naming both formats. */
    @Test
    void aDatabaseOfANewerStorageFormatIsRefused() throws Exception {
        assertArrayEquals(new byte[] {0, 0, 0, ReservedKeys.FORMAT}, store.get(ReservedKeys.FORMAT_VERSION));
        store.close();
        try (LevelDb raw = LevelDbEngines.open(engine, dir, false, LocalStore.WRITE_BUFFER_BYTES)) {
            raw.put(ReservedKeys.FORMAT_VERSION, new byte[] {0, 0, 0, 9}, false);
        }
        PartyUnavailableException refused = assertThrows(PartyUnavailableException.class,
                () -> LocalStore.tryOpen(dir, engine));
        assertTrue(refused.getMessage().contains("format 9") && refused.getMessage().contains("reads format 1")
                && refused.getMessage().contains("newer"), refused.getMessage());
        store = LocalStore.tryOpen(dir.resolve("other"), engine); // for close(); the refused open released the lock:
        LevelDbEngines.open(engine, dir, false, LocalStore.WRITE_BUFFER_BYTES).close();
    }

    private static List<String> keys(List<StoreEntry> entries) {
        return entries.stream().map(LocalStoreTest::s).collect(Collectors.toList());
    }

    /**
     * In a fresh database, LevelDB flushes the memtable onto level 2 (no table overlaps it), garbage
     * and all, and its own range compaction never merges the deepest level's tables: compacting
     * must drop the deleted entries all the same.
     */
    @Test
    void compactingDropsDeletedEntriesWhereverLevelDbFlushedThem() throws IOException {
        Random random = new Random(1);
        for (int i = 0; i < 3000; i++) {
            byte[] value = new byte[100]; // random, so that the tables' compression cannot hide the garbage
            random.nextBytes(value);
            store.put(b("k" + i), value);
        }
        for (int i = 0; i < 3000; i++) {
            store.delete(b("k" + i));
        }
        putAll("a");
        store.compact(KeyRange.ALL);
        long tableBytes;
        try (Stream<Path> files = Files.list(dir)) {
            tableBytes = files.filter(f -> f.toString().endsWith(".sst") || f.toString().endsWith(".ldb"))
                    .mapToLong(f -> f.toFile().length()).sum();
        }
        assertTrue(tableBytes < 30_000, tableBytes + " bytes of tables hold one live entry and 3,000 deleted ones of "
                + "300,000 bytes");
        assertEquals(List.of("a"), keys(store.scan(KeyRange.ALL, false, 10)));
    }

    /**
     * A small map written and cleared over and over leaves tens of thousands of dead entries that
     * every navigation steps over; a slow read has its range compacted in the background, and
     * nothing live is lost by it.
     */
    @Test
    void slowReadsOverDeletedEntriesCompactTheirRange() {
        putAll("a", "z");
        for (int cycle = 0; cycle < 4000; cycle++) {
            for (int k = 0; k < 5; k++) {
                store.put(b("m" + k), b("v" + cycle));
            }
            for (int k = 0; k < 5; k++) {
                store.delete(b("m" + k));
            }
        }
        store.put(b("m2"), b("live"));
        long deadline = System.nanoTime() + Poll.DEADLINE.toNanos();
        while (store.churnCompactions() == 0 && System.nanoTime() - deadline < 0) {
            assertEquals("z", s(store.navigate(null, Relation.FLOOR)));
            assertEquals("m2", s(store.navigate(b("y"), Relation.FLOOR)));
            assertEquals("m2", s(store.navigate(b("b"), Relation.CEILING)));
        }
        assertTrue(store.churnCompactions() > 0, "no compaction after reads over 40,000 dead entries");
        assertEquals(List.of("a", "m2", "z"), store.scan(KeyRange.ALL, false, 10).stream()
                .map(LocalStoreTest::s).collect(Collectors.toList()));
        assertEquals("live", new String(store.get(b("m2")), StandardCharsets.UTF_8));
    }
}
