package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.PartyException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import io.levelparty.StorageEngine;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Damaged table files are an error on read, never a wrong value, on either engine. */
class DamagedTableTest {
    private static final int KEYS = 400;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = StorageEngine.class, names = {"NATIVE", "JAVA"})
    void aScrambledTableGivesExceptionsNotWrongValues(StorageEngine engine) throws IOException {
        Path db = dir.resolve("db");
        byte[][] values = new byte[KEYS][];
        Random random = new Random(42);
        LocalStore store = LocalStore.tryOpen(db, engine);
        for (int i = 0; i < KEYS; i++) {
            values[i] = new byte[1024];
            random.nextBytes(values[i]); // incompressible: every block holds only a few values
            store.put(key(i), values[i]);
        }
        store.close();
        LocalStore.tryOpen(db, engine).close(); // the reopening writes the recovered log to a table

        List<Path> tables;
        try (Stream<Path> files = Files.list(db)) {
            tables = files.filter(f -> f.toString().endsWith(".sst") || f.toString().endsWith(".ldb")).toList();
        }
        assertEquals(1, tables.size(), "one table: " + tables);
        try (RandomAccessFile table = new RandomAccessFile(tables.get(0).toFile(), "rw")) {
            for (long at : new long[] {table.length() / 4, table.length() / 2, 3 * table.length() / 4}) {
                byte[] noise = new byte[64];
                random.nextBytes(noise);
                table.seek(at);
                table.write(noise);
            }
        }

        LocalStore damaged = LocalStore.tryOpen(db, engine);
        assertNotNull(damaged);
        int failed = 0;
        try {
            for (int i = 0; i < KEYS; i++) {
                try {
                    byte[] read = damaged.get(key(i));
                    assertArrayEquals(values[i], read, "key " + i + " read back wrong, with no error");
                } catch (PartyException e) {
                    assertTrue(e.getMessage().contains("orruption") || e.getMessage().contains("checksum"),
                            e.getMessage());
                    failed++;
                }
            }
        } finally {
            damaged.close();
        }
        assertTrue(failed > 0, "no read noticed the damage");
    }

    private static byte[] key(int i) {
        return String.format("key%05d", i).getBytes(StandardCharsets.UTF_8);
    }
}
