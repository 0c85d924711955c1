package io.levelparty.bench;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.Role;
import io.levelparty.StorageEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.fusesource.leveldbjni.JniDBFactory;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBFactory;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.impl.Iq80DBFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Leader mode, no followers: the map facade over LevelDB against the same LevelDB engine used
 * directly, each on its own directory holding the same {@value BenchData#ENTRIES} entries, with the
 * same LevelDB options, visiting keys in the same random order. LevelParty's keys are strings
 * (encoded to UTF-8 per call, as a user's would be); the raw baseline gets the bytes ready-made.
 * Every benchmark runs on both engines: native (leveldbjni) and Java (pcmind's port of LevelDB).
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LeaderBench {
    /** The LevelDB engine of the map and of the raw baseline. */
    @Param({"NATIVE", "JAVA"})
    public StorageEngine engine;

    private Path dir;
    private PartyMap<byte[]> map;
    private DB raw;
    private final String[] keys = new String[BenchData.ENTRIES];
    private final byte[][] rawKeys = new byte[BenchData.ENTRIES][];
    private final KeyOrder keyOrder = new KeyOrder();
    private final byte[] value = BenchData.value(-1);

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchData.tempDir("lp-leader");
        map = LevelParty.open(dir.resolve("party"), PartyOptions.of(Codecs.bytes()).engine(engine));
        if (map.role() != Role.LEADER) {
            throw new IllegalStateException("expected to lead " + dir);
        }
        DBFactory factory = engine == StorageEngine.JAVA ? Iq80DBFactory.factory : JniDBFactory.factory;
        raw = factory.open(dir.resolve("raw").toFile(),
                new Options().createIfMissing(true).writeBufferSize(BenchData.WRITE_BUFFER_BYTES));
        BenchData.load(map, BenchData.ENTRIES);
        BenchData.load(raw, BenchData.ENTRIES);
        for (int i = 0; i < BenchData.ENTRIES; i++) {
            keys[i] = BenchData.key(i);
            rawKeys[i] = BenchData.keyBytes(i);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        map.close();
        raw.close();
        BenchData.delete(dir);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public byte[] leaderGet() {
        return map.get(keys[keyOrder.next()]);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public byte[] rawGet() {
        return raw.get(rawKeys[keyOrder.next()]);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public byte[] leaderPut() {
        return map.put(keys[keyOrder.next()], value);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public void rawPut() {
        raw.put(rawKeys[keyOrder.next()], value);
    }

    /** What a leader {@code put} does, since {@code Map.put} returns the previous value. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public byte[] rawGetAndPut() {
        byte[] key = rawKeys[keyOrder.next()];
        byte[] previous = raw.get(key);
        raw.put(key, value);
        return previous;
    }

    /** One atomic batch of {@value BenchData#BATCH} puts; the score is per entry. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(BenchData.BATCH)
    public void leaderBatch() {
        PartyMap.Batch<byte[]> batch = map.batch();
        for (int i = 0; i < BenchData.BATCH; i++) {
            batch.put(keys[keyOrder.next()], value);
        }
        batch.apply();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(BenchData.BATCH)
    public void rawBatch() throws IOException {
        try (WriteBatch batch = raw.createWriteBatch()) {
            for (int i = 0; i < BenchData.BATCH; i++) {
                batch.put(rawKeys[keyOrder.next()], value);
            }
            raw.write(batch);
        }
    }

    /** Iterates {@value BenchData#SCAN} entries of a sub map from a random key; the score is per entry. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(BenchData.SCAN)
    public long leaderScan() {
        int from = keyOrder.next() % (BenchData.ENTRIES - BenchData.SCAN);
        long bytes = 0;
        for (Map.Entry<String, byte[]> e : map.subMap(keys[from], keys[from + BenchData.SCAN]).entrySet()) {
            bytes += e.getKey().length() + e.getValue().length;
        }
        return bytes;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(BenchData.SCAN)
    public long rawScan() throws IOException {
        int from = keyOrder.next() % (BenchData.ENTRIES - BenchData.SCAN);
        long bytes = 0;
        try (DBIterator it = raw.iterator()) {
            it.seek(rawKeys[from]);
            for (int n = 0; n < BenchData.SCAN && it.hasNext(); n++) {
                Map.Entry<byte[], byte[]> e = it.next();
                bytes += e.getKey().length + e.getValue().length;
            }
        }
        return bytes;
    }
}
