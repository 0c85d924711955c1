package io.levelparty.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The baselines of a follower's cached get: a hit in Caffeine (what the follower cache will be
 * built on) and in a {@link ConcurrentHashMap}, over the benchmark's keys and values.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CacheBaselineBench {
    private Cache<String, byte[]> caffeine;
    private ConcurrentHashMap<String, byte[]> hashMap;
    private final String[] keys = new String[BenchData.ENTRIES];
    private final KeyOrder keyOrder = new KeyOrder();

    @Setup
    public void fill() {
        caffeine = Caffeine.newBuilder().maximumSize(2L * BenchData.ENTRIES).build();
        hashMap = new ConcurrentHashMap<>();
        for (int i = 0; i < BenchData.ENTRIES; i++) {
            keys[i] = BenchData.key(i);
            caffeine.put(keys[i], BenchData.value(i));
            hashMap.put(keys[i], BenchData.value(i));
        }
    }

    @Benchmark
    public byte[] caffeineGetIfPresent() {
        return caffeine.getIfPresent(keys[keyOrder.next()]);
    }

    @Benchmark
    public byte[] concurrentHashMapGet() {
        return hashMap.get(keys[keyOrder.next()]);
    }
}
