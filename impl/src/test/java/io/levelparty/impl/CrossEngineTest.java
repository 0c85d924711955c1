package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.StorageEngine;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.StoreWrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each engine opens the directory the other wrote, tables and log alike, with the same contents,
 * the party's reserved records included; and the first engine opens it again after the second
 * wrote and compacted it.
 */
class CrossEngineTest {
    private static final int KEYS = 2_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = StorageEngine.class, names = {"NATIVE", "JAVA"})
    void eachEngineOpensWhatTheOtherWrote(StorageEngine first) throws IOException {
        StorageEngine second = first == StorageEngine.NATIVE ? StorageEngine.JAVA : StorageEngine.NATIVE;
        Path db = dir.resolve("db");
        WriteId once = new WriteId(UUID.randomUUID(), 1, 0);

        LocalStore store = LocalStore.tryOpen(db, first);
        write(store, "first", 0);
        store.applyOnce(once, new WriteCommand.Put(b("once"), b("1")), false);
        store.compact(KeyRange.ALL); // the entries so far go to tables
        write(store, "later", 1); // these stay in the log
        store.close();
        // The second engine recovers the first one's log and reads its tables; then the first
        // engine reads the table the second one wrote the recovered log to.
        Map<String, String> written = contents(second, db);
        assertEquals(written, contents(first, db));
        assertEquals(2 * KEYS + 1, userKeys(written), "every user key: " + written.size() + " entries");
        assertTrue(written.containsKey(hex(ReservedKeys.FORMAT_VERSION)), "the reserved records too");
        assertEquals(List.of(), tablesNamed(db, ".ldb"), "LevelDB 1.8, inside leveldbjni, reads only .sst tables");

        store = LocalStore.tryOpen(db, second);
        assertEquals(null, store.applyOnce(once, new WriteCommand.Put(b("once"), b("2")), false),
                "a resent write is answered from the first engine's record");
        write(store, "second", 2);
        store.delete(b("first00007"));
        store.compact(KeyRange.ALL);
        write(store, "last", 3);
        store.close();
        Map<String, String> rewritten = contents(first, db);
        assertEquals(rewritten, contents(second, db));
        assertEquals(4 * KEYS, userKeys(rewritten));
        assertEquals(hex("1"), rewritten.get(hex("once")), "the resent write was not applied again");
        assertTrue(!rewritten.containsKey(hex("first00007")) && rewritten.containsKey(hex("last01999")));
        assertTrue(!tablesNamed(db, ".sst").isEmpty(), "the data is in tables");
        assertEquals(List.of(), tablesNamed(db, ".ldb"));
    }

    private static void write(LocalStore store, String prefix, int round) {
        for (int i = 0; i < KEYS; i += 100) {
            List<StoreWrite> batch = new ArrayList<>();
            for (int j = i; j < i + 100; j++) {
                batch.add(StoreWrite.put(b(String.format("%s%05d", prefix, j)), b(round + "/" + j + "x".repeat(j % 200))));
            }
            store.batch(batch);
        }
    }

    /** Every entry of the database in {@code db}, reserved records included, read with {@code engine}, keys and values in hex. */
    private static Map<String, String> contents(StorageEngine engine, Path db) throws IOException {
        try (LevelDb raw = LevelDbEngines.open(engine, db, false, LocalStore.WRITE_BUFFER_BYTES)) {
            return contents(raw);
        }
    }

    private static Map<String, String> contents(LevelDb raw) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (LevelDb.Cursor it = raw.cursor()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                entries.put(hex(it.key()), hex(it.value()));
            }
        }
        return entries;
    }

    private static long userKeys(Map<String, String> entries) {
        return entries.keySet().stream().filter(k -> !k.startsWith("ff")).count();
    }

    private static List<Path> tablesNamed(Path db, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(db)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    private static String hex(String s) {
        return hex(b(s));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
