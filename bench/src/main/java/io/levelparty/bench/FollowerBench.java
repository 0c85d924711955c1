package io.levelparty.bench;

import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.Role;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Follower mode: this JVM is a follower of a leader in another process ({@link BenchServer}),
 * against a raw junixsocket round trip of the same sizes as a GET and its reply, to that process.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FollowerBench {
    /** GET's frame: header 4, type 2, id 9, key 3 + 11. */
    static final int GET_FRAME_BYTES = 4 + 2 + 9 + 3 + 11;
    /** VALUE's frame: header 4, type 2, id 9, value 3 + 100. */
    static final int VALUE_FRAME_BYTES = 4 + 2 + 9 + 3 + BenchData.VALUE_BYTES;

    private Path dir;
    private ChildJvm leader;
    private PartyMap<byte[]> map;
    /**
     * A second follower in this JVM, with every key cached, opened for {@link #followerCachedGet}
     * only: writes to keys that a follower caches wait for it (see {@link Consistency#STRICT}).
     */
    private PartyMap<byte[]> cached;
    private AFUNIXSocket echo;
    private OutputStream echoOut;
    private DataInputStream echoIn;
    private final byte[] request = new byte[GET_FRAME_BYTES];
    private final byte[] reply = new byte[VALUE_FRAME_BYTES];
    private final String[] keys = new String[BenchData.ENTRIES];
    private final KeyOrder keyOrder = new KeyOrder();
    private final byte[] value = BenchData.value(-1);

    @Setup(Level.Trial)
    public void open(BenchmarkParams params) throws IOException {
        dir = BenchData.tempDir("lp-follower");
        Path echoPath = dir.resolve("echo.sock");
        leader = ChildJvm.start("leader", BenchServer.class, List.of(), dir.resolve("party").toString(),
                echoPath.toString(), String.valueOf(BenchData.ENTRIES));
        leader.expect("READY");
        map = LevelParty.open(dir.resolve("party"), PartyOptions.of(Codecs.bytes()).cacheSize(0));
        if (map.role() != Role.FOLLOWER) {
            throw new IllegalStateException("expected to follow the leader of " + dir);
        }
        echo = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(echoPath));
        echoOut = echo.getOutputStream();
        echoIn = new DataInputStream(echo.getInputStream());
        DataOutputStream sizes = new DataOutputStream(echoOut);
        sizes.writeInt(GET_FRAME_BYTES);
        sizes.writeInt(VALUE_FRAME_BYTES);
        sizes.flush();
        for (int i = 0; i < BenchData.ENTRIES; i++) {
            keys[i] = BenchData.key(i);
        }
        if (params.getBenchmark().endsWith(".followerCachedGet")) {
            cached = LevelParty.open(dir.resolve("party"), PartyOptions.of(Codecs.bytes())
                    .cacheSize(2L * BenchData.ENTRIES));
            awaitCaching(cached, keys[0]);
            for (String key : keys) {
                cached.get(key);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        echo.close();
        if (cached != null) {
            cached.close();
        }
        map.close();
        leader.stop();
        BenchData.delete(dir);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public byte[] followerGet() {
        return map.get(keys[keyOrder.next()]);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public byte[] followerPut() {
        return map.put(keys[keyOrder.next()], value);
    }

    /**
     * A point read that the follower's cache answers, under the default {@link Consistency#STRICT},
     * against Caffeine's own {@code getIfPresent}.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public byte[] followerCachedGet() {
        return cached.get(keys[keyOrder.next()]);
    }

    /** The floor of a follower's call: one write of a GET's size, one read of its reply's size. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public byte[] pingPong() throws IOException {
        echoOut.write(request);
        echoIn.readFully(reply);
        return reply;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(BenchData.BATCH)
    public void followerBatch() {
        PartyMap.Batch<byte[]> batch = map.batch();
        for (int i = 0; i < BenchData.BATCH; i++) {
            batch.put(keys[keyOrder.next()], value);
        }
        batch.apply();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OperationsPerInvocation(BenchData.SCAN)
    public long followerScan() {
        int from = keyOrder.next() % (BenchData.ENTRIES - BenchData.SCAN);
        long bytes = 0;
        for (Map.Entry<String, byte[]> e : map.subMap(keys[from], keys[from + BenchData.SCAN]).entrySet()) {
            bytes += e.getKey().length() + e.getValue().length;
        }
        return bytes;
    }

    /** Waits until {@code follower} serves reads from its cache: its lease is taken in the background as it opens. */
    private static void awaitCaching(PartyMap<?> follower, String key) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (follower.get(key) != null && follower.stats().cacheHits() == 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the follower's cache served no read within 30 s: " + follower.stats());
            }
        }
    }
}
