package io.levelparty.bench;

import io.levelparty.PartyMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.WriteBatch;

/** The data every benchmark uses, so that LevelParty and its baselines work on the same bytes. */
final class BenchData {
    /** Entries preloaded for point reads and writes. */
    static final int ENTRIES = 100_000;
    /** Bytes of every value. */
    static final int VALUE_BYTES = 100;
    /** Writes in one atomic batch. */
    static final int BATCH = 100;
    /** Entries read by one range scan. */
    static final int SCAN = 10_000;
    /** The LevelDB write buffer LevelParty's leader opens its database with, for the raw baselines. */
    static final int WRITE_BUFFER_BYTES = 1 << 20;
    /** Entries written per batch while preloading. */
    private static final int LOAD_BATCH = 1_000;

    private BenchData() {}

    /** Returns the key of entry {@code i}: 11 ASCII characters, in the order of {@code i}. */
    static String key(int i) {
        return String.format("k%010d", i);
    }

    static byte[] keyBytes(int i) {
        return key(i).getBytes(StandardCharsets.UTF_8);
    }

    /** Returns the value of entry {@code i}: {@value #VALUE_BYTES} bytes. */
    static byte[] value(int i) {
        byte[] value = new byte[VALUE_BYTES];
        new Random(i).nextBytes(value);
        return value;
    }

    /** Returns 0 … n-1 in a fixed random order, so runs and their baselines visit keys alike. */
    static int[] shuffled(int n) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        Random random = new Random(42);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Writes entries 0 … n-1 through LevelParty, in atomic batches. */
    static void load(PartyMap<byte[]> map, int n) {
        for (int start = 0; start < n; start += LOAD_BATCH) {
            PartyMap.Batch<byte[]> batch = map.batch();
            for (int i = start; i < Math.min(n, start + LOAD_BATCH); i++) {
                batch.put(key(i), value(i));
            }
            batch.apply();
        }
    }

    /** Writes entries 0 … n-1 straight to LevelDB, in write batches. */
    static void load(DB db, int n) throws IOException {
        for (int start = 0; start < n; start += LOAD_BATCH) {
            try (WriteBatch batch = db.createWriteBatch()) {
                for (int i = start; i < Math.min(n, start + LOAD_BATCH); i++) {
                    batch.put(keyBytes(i), value(i));
                }
                db.write(batch);
            }
        }
    }

    /** Creates a fresh directory for one run under /tmp; short, so the socket path under it fits. */
    static Path tempDir(String prefix) {
        return tempDir(Path.of("/tmp"), prefix);
    }

    /** Creates a fresh directory for one run under {@code base}. */
    static Path tempDir(Path base, String prefix) {
        try {
            return Files.createTempDirectory(base, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything under it. */
    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }
}
