package io.levelparty.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.levelparty.Codec;
import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * LevelParty's map on etcd beside the same work done with jetcd itself, on the same etcd server
 * ({@link LoopbackEtcd}, named by the system property {@value #ENDPOINT}) and the same etcd keys
 * and values: {@value #ENTRIES} entries, 11-byte map keys, 100-byte values. Each fork writes its
 * own map, under a path of its own.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EtcdBench {
    /*
     * JMH runs benchmarks in the order of their names: each benchmark is named so that its
     * baseline runs right after it, seconds apart, on a machine whose load changes by the minute.
     */
    /** The system property that names the etcd endpoint, {@code host:port}. */
    static final String ENDPOINT = "levelparty.bench.etcd";
    /** Entries in each map: the range scans read them all. */
    static final int ENTRIES = 10_000;
    /** The page of a raw range scan: the most entries the map's scans read per request. */
    static final int PAGE = 127;
    private static final PutOption PREVIOUS_VALUE = PutOption.builder().withPrevKV().build();
    private static final ByteSequence RECORD_VALUE = ByteSequence.from(new byte[] {1});

    /**
     * Returns options of {@code codec} whose open and request timeouts are far longer than the
     * defaults, so that a machine busy with other work slows a run down rather than ends it.
     */
    static <V> PartyOptions<V> patient(Codec<V> codec) {
        Duration patience = Duration.ofSeconds(60);
        return PartyOptions.of(codec).openTimeout(patience).requestTimeout(patience);
    }

    /** Returns the etcd key under which the map at {@code path} keeps map key {@code key}: the path, a zero byte, the key. */
    static ByteSequence etcdKey(String path, String key) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] joined = Arrays.copyOf(p, p.length + 1 + k.length);
        System.arraycopy(k, 0, joined, p.length + 1, k.length);
        return ByteSequence.from(joined);
    }

    /** Writes entries 0 … n-1 through {@code map}, in batches as large as one etcd transaction takes. */
    static <V> void load(PartyMap<V> map, int n, IntFunction<V> value) {
        for (int start = 0; start < n; start += PAGE) {
            PartyMap.Batch<V> batch = map.batch();
            for (int i = start; i < Math.min(n, start + PAGE); i++) {
                batch.put(BenchData.key(i), value.apply(i));
            }
            batch.apply();
        }
    }

    /** A fixed shuffle of the entries, walked round by one thread. */
    @State(Scope.Thread)
    public static class Order {
        private final int[] order = BenchData.shuffled(ENTRIES);
        private int next;

        int next() {
            int i = order[next];
            next = next + 1 == order.length ? 0 : next + 1;
            return i;
        }
    }

    /** A STRICT map of {@code byte[]} values, and a raw jetcd client on the same etcd keys. */
    @State(Scope.Benchmark)
    public static class Strict {
        PartyMap<byte[]> map;
        Client client;
        KV kv;
        final String[] keys = new String[ENTRIES];
        final ByteSequence[] etcdKeys = new ByteSequence[ENTRIES];
        final byte[][] values = new byte[ENTRIES][];
        final ByteSequence[] etcdValues = new ByteSequence[ENTRIES];
        ByteSequence start;
        ByteSequence end;
        final long[] modRevisions = new long[ENTRIES];
        /** Request records written by {@link #putRawExactlyOnce}, under a lease of the benchmark's own. */
        long records;
        PutOption recordLease;
        private byte[] recordPrefix;

        /** Returns the key of raw request record {@code n}, shaped as the map's are: path, 0, 0xFF, 26 bytes. */
        ByteSequence record(long n) {
            byte[] key = Arrays.copyOf(recordPrefix, recordPrefix.length + Long.BYTES);
            for (int b = 0; b < Long.BYTES; b++) {
                key[key.length - 1 - b] = (byte) (n >>> (8 * b));
            }
            return ByteSequence.from(key);
        }

        @Setup(Level.Trial)
        public void open() throws Exception {
            String endpoint = System.getProperty(ENDPOINT);
            String path = "/bench-strict-" + ProcessHandle.current().pid();
            map = LevelParty.open(URI.create("etcd://" + endpoint + path), patient(Codecs.bytes()));
            load(map, ENTRIES, BenchData::value);
            client = Client.builder().endpoints("http://" + endpoint).build();
            kv = client.getKVClient();
            for (int i = 0; i < ENTRIES; i++) {
                keys[i] = BenchData.key(i);
                etcdKeys[i] = etcdKey(path, keys[i]);
                values[i] = BenchData.value(i);
                etcdValues[i] = ByteSequence.from(values[i]);
            }
            start = etcdKey(path, "");
            byte[] past = Arrays.copyOf(start.getBytes(), start.size() + 1);
            past[past.length - 1] = (byte) 0xFF; // the path, a zero byte, 0xFF: past every map key, before the records
            end = ByteSequence.from(past);
            recordPrefix = Arrays.copyOf(past, past.length + 18); // 'r', version, a 16-byte client id (zeros)
            recordPrefix[past.length] = 'r';
            recordPrefix[past.length + 1] = 1;
            recordLease = PutOption.builder().withLeaseId(client.getLeaseClient().grant(600).get().getID()).build();
            for (int i = 0; i < ENTRIES; i += PAGE) {
                GetResponse page = kv.get(etcdKeys[i], GetOption.builder().withRange(end).withLimit(PAGE).build()).get();
                for (int j = 0; j < page.getKvs().size(); j++) {
                    modRevisions[i + j] = page.getKvs().get(j).getModRevision();
                }
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            map.close();
            client.close();
        }
    }

    /** A RELAXED map of strings whose cache holds every entry, and a Caffeine cache of the same size and entries. */
    @State(Scope.Benchmark)
    public static class Relaxed {
        PartyMap<String> map;
        Cache<String, String> caffeine;
        final String[] keys = new String[ENTRIES];

        @Setup(Level.Trial)
        public void open() {
            String path = "/bench-relaxed-" + ProcessHandle.current().pid();
            map = LevelParty.open(URI.create("etcd://" + System.getProperty(ENDPOINT) + path),
                    patient(Codecs.utf8()).consistency(Consistency.RELAXED).cacheSize(ENTRIES));
            load(map, ENTRIES, Relaxed::text);
            caffeine = Caffeine.newBuilder().maximumSize(ENTRIES).build();
            for (int i = 0; i < ENTRIES; i++) {
                keys[i] = BenchData.key(i);
                caffeine.put(keys[i], text(i));
            }
            // Values written before the cache's watch was in place are cached by a first read.
            for (int pass = 0; pass < 3 && map.stats().cacheEntries() < ENTRIES; pass++) {
                for (String key : keys) {
                    map.get(key);
                }
            }
            if (map.stats().cacheEntries() < ENTRIES) {
                throw new IllegalStateException("the cache does not hold every entry: " + map.stats());
            }
        }

        /** Returns the value of entry {@code i} as 100 ASCII characters: 100 bytes, like the other values. */
        static String text(int i) {
            byte[] bytes = BenchData.value(i);
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] = (byte) ('a' + (bytes[j] & 0x0F));
            }
            return new String(bytes, StandardCharsets.US_ASCII);
        }

        @TearDown(Level.Trial)
        public void close() {
            map.close();
        }
    }

    @Benchmark
    public byte[] getMap(Strict s, Order o) {
        return s.map.get(s.keys[o.next()]);
    }

    @Benchmark
    public byte[] getRaw(Strict s, Order o) throws ExecutionException, InterruptedException {
        GetResponse found = s.kv.get(s.etcdKeys[o.next()]).get();
        return found.getKvs().isEmpty() ? null : found.getKvs().get(0).getValue().getBytes();
    }

    /**
     * What a STRICT cache validated by revision would cost per read: one transaction that compares
     * the key's mod revision with the cached one (and reads the value if it changed).
     */
    @Benchmark
    public boolean getRawRevisionCheck(Strict s, Order o) throws ExecutionException, InterruptedException {
        int i = o.next();
        ByteSequence key = s.etcdKeys[i];
        TxnResponse done = s.kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(s.modRevisions[i])))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit().get();
        return done.isSucceeded();
    }

    @Benchmark
    public byte[] putMap(Strict s, Order o) {
        int i = o.next();
        return s.map.put(s.keys[i], s.values[i]);
    }

    @Benchmark
    public Object putRaw(Strict s, Order o) throws ExecutionException, InterruptedException {
        int i = o.next();
        return s.kv.put(s.etcdKeys[i], s.etcdValues[i]).get();
    }

    /**
     * The transaction the map's put sends, sent with jetcd: the put, with the previous value, and
     * the creation of a request record with a lease, if the record does not exist yet.
     */
    @Benchmark
    public boolean putRawExactlyOnce(Strict s, Order o) throws ExecutionException, InterruptedException {
        int i = o.next();
        ByteSequence record = s.record(++s.records);
        return s.kv.txn()
                .If(new Cmp(record, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(s.etcdKeys[i], s.etcdValues[i], PREVIOUS_VALUE),
                        Op.put(record, RECORD_VALUE, s.recordLease))
                .Else(Op.get(record, GetOption.DEFAULT))
                .commit().get().isSucceeded();
    }

    /** A raw put that returns the previous value, as {@code Map.put} does. */
    @Benchmark
    public byte[] putRawPrevious(Strict s, Order o) throws ExecutionException, InterruptedException {
        int i = o.next();
        KeyValue previous = s.kv.put(s.etcdKeys[i], s.etcdValues[i], PREVIOUS_VALUE).get().getPrevKv();
        return previous.getValue().getBytes();
    }

    /** Reads every entry through the map's iterator; returns how many. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long scanMap(Strict s) {
        long n = 0;
        for (Map.Entry<String, byte[]> e : s.map.entrySet()) {
            n += e.getValue().length > 0 ? 1 : 0;
        }
        return n;
    }

    /** Reads every entry with jetcd, {@value #PAGE} at a time, each page after the last key of the one before. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long scanRaw(Strict s) throws ExecutionException, InterruptedException {
        long n = 0;
        ByteSequence from = s.start;
        GetOption page = GetOption.builder().withRange(s.end).withLimit(PAGE).build();
        while (true) {
            GetResponse got = s.kv.get(from, page).get();
            for (KeyValue e : got.getKvs()) {
                n += e.getValue().getBytes().length > 0 ? 1 : 0;
            }
            if (!got.isMore()) {
                return n;
            }
            byte[] last = got.getKvs().get(got.getKvs().size() - 1).getKey().getBytes();
            from = ByteSequence.from(Arrays.copyOf(last, last.length + 1)); // the least key after it
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public String cachedGetMap(Relaxed r, Order o) {
        return r.map.get(r.keys[o.next()]);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public String cachedGetCaffeine(Relaxed r, Order o) {
        return r.caffeine.getIfPresent(r.keys[o.next()]);
    }
}
