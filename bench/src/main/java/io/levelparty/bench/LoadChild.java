package io.levelparty.bench;

import static org.fusesource.leveldbjni.JniDBFactory.factory;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyClosedException;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.Options;

/**
 * A process of the multi-process harness ({@link Harness}): opens a directory with LevelParty and
 * does one job, driven by lines on standard input; closing its input closes the map and ends it.
 *
 * <pre>
 * LoadChild serve DIR ENTRIES         loads ENTRIES entries if the map is empty, then serves
 *   -> READY role                     "heap" -> HEAP peakUsed peakRetained max   "reset" -> RESET
 *                                     "jit" -> JIT milliseconds this JVM has spent compiling
 * LoadChild load DIR THREADS SECONDS PUT_PERCENT ENTRIES OUT cached|uncached uniform|skewed
 *   -> READY role                     "go": its threads start, unmeasured, warming up
 *                                     "jit" -> JIT milliseconds this JVM has spent compiling
 *                                     "measure" -> DONE ops nanos: measures SECONDS from then on;
 *                                     the latencies, in ns, are written to OUT; the map has the
 *                                     default cache, or none; keys are chosen uniformly, or
 *                                     skewed as Zipf's law with exponent 1 would (key i about as
 *                                     often as 1 / (i + 1))
 * LoadChild rawload DIR THREADS SECONDS PUT_PERCENT ENTRIES OUT uniform|skewed
 *   -> READY RAW                      the same as load, on leveldbjni itself (it loads ENTRIES
 *                                     entries first), with the leader's LevelDB options; a put is a
 *                                     get then a put, the work of Map.put, which returns the old value
 * LoadChild scan DIR
 *   -> READY role                     "go" -> SCANNED entries nanos peakUsed peakRetained max
 * LoadChild write DIR PAUSE_MICROS    puts from the start, pausing PAUSE_MICROS between puts (0: none)
 *   -> READY role                     "role" -> ROLE role
 *                                     "since K D" -> GAP ns from K to the acknowledgement of the first
 *                                     put issued at or after D, or GAP none (System.nanoTime values)
 *                                     "close" -> CLOSED t: closes the map (a planned hand-over if it
 *                                     leads); t is System.nanoTime() just before the close
 * </pre>
 */
public final class LoadChild {
    private static final int WRITER_KEYS = 1_000;
    private static final int WRITE_LOG = 1 << 20;

    private LoadChild() {}

    /** The two operations of a load: a read, and a write that also reads the value it replaces. */
    private interface Operations {
        void get(String key) throws IOException;

        void put(String key, byte[] value) throws IOException;

        /** What the process's map counted, for the log; empty for raw LevelDB. */
        default String stats() {
            return "";
        }
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (args[0].equals("rawload")) {
            rawLoad(args, in);
            return;
        }
        HeapWatch heap = new HeapWatch();
        PartyOptions<byte[]> options = PartyOptions.of(Codecs.bytes());
        if (args[0].equals("load") && args[7].equals("uncached")) {
            options = options.cacheSize(0);
        }
        PartyMap<byte[]> map = LevelParty.open(Path.of(args[1]), options);
        switch (args[0]) {
            case "serve" -> serve(map, Integer.parseInt(args[2]), heap, in);
            case "load" -> load(new Operations() {
                @Override
                public void get(String key) {
                    map.get(key);
                }

                @Override
                public void put(String key, byte[] value) {
                    map.put(key, value);
                }

                @Override
                public String stats() {
                    return map.stats().toString();
                }
            }, map.role().toString(), args, in);
            case "scan" -> scan(map, heap, in);
            case "write" -> write(map, Long.parseLong(args[2]), in);
            default -> throw new IllegalArgumentException("unknown job " + args[0]);
        }
        map.close();
    }

    private static void reply(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }

    private static void serve(PartyMap<byte[]> map, int entries, HeapWatch heap, BufferedReader in)
            throws IOException {
        if (map.isEmpty()) {
            BenchData.load(map, entries);
        }
        reply("READY " + map.role());
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("heap")) {
                reply("HEAP " + heap.report());
            } else if (line.equals("reset")) {
                heap.reset();
                reply("RESET");
            } else if (line.equals("jit")) {
                replyCompileTime();
            }
        }
    }

    private static void replyCompileTime() {
        reply("JIT " + ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
    }

    private static void rawLoad(String[] args, BufferedReader in) throws Exception {
        int entries = Integer.parseInt(args[5]);
        try (DB db = factory.open(Path.of(args[1]).toFile(),
                new Options().createIfMissing(true).writeBufferSize(BenchData.WRITE_BUFFER_BYTES))) {
            BenchData.load(db, entries);
            load(new Operations() {
                @Override
                public void get(String key) {
                    db.get(key.getBytes(StandardCharsets.UTF_8));
                }

                @Override
                public void put(String key, byte[] value) {
                    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                    db.get(bytes);
                    db.put(bytes, value);
                }
            }, "RAW", args, in);
        }
    }

    /** The load job, the same for LevelParty and for raw leveldbjni: arguments as the class javadoc says. */
    private static void load(Operations operations, String role, String[] args, BufferedReader in) throws Exception {
        int threads = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int putPercent = Integer.parseInt(args[4]);
        int entries = Integer.parseInt(args[5]);
        Path out = Path.of(args[6]);
        boolean skewed = args[args.length - 1].equals("skewed");
        String[] keys = new String[entries];
        Arrays.setAll(keys, BenchData::key);
        byte[] value = BenchData.value(-1);
        long[][] latencies = new long[threads][];
        int[] counts = new int[threads];
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
        AtomicLong deadline = new AtomicLong(Long.MAX_VALUE);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers[t] = new Thread(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (long now = System.nanoTime(); now < deadline.get(); ) {
                    // entries^u - 1 for a uniform u is log-uniform: about 1 / (i + 1), Zipf's law with exponent 1
                    String key = keys[skewed ? (int) Math.pow(entries, random.nextDouble()) - 1
                            : random.nextInt(entries)];
                    try {
                        if (random.nextInt(100) < putPercent) {
                            operations.put(key, value);
                        } else {
                            operations.get(key);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    long done = System.nanoTime();
                    if (now >= measureFrom.get()) {
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = done - now;
                    }
                    now = done;
                }
                latencies[me] = mine;
                counts[me] = n;
            }, "load-" + t);
            workers[t].start();
        }
        reply("READY " + role);
        if (!"go".equals(in.readLine())) {
            return;
        }
        go.countDown();
        String line;
        while ((line = in.readLine()) != null && line.equals("jit")) {
            replyCompileTime();
        }
        if (!"measure".equals(line)) {
            deadline.set(0);
            return;
        }
        long start = System.nanoTime();
        deadline.set(start + seconds * 1_000_000_000L);
        measureFrom.set(start);
        long ops = 0;
        for (Thread worker : workers) {
            worker.join();
        }
        long elapsed = System.nanoTime() - start;
        try (DataOutputStream file = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(out)))) {
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < counts[t]; i++) {
                    file.writeLong(latencies[t][i]);
                }
                ops += counts[t];
            }
        }
        reply("DONE " + ops + " " + elapsed);
        String stats = operations.stats();
        if (!stats.isEmpty()) {
            System.err.println("# " + stats); // the harness's log: cache hits, cut-offs
        }
        while (in.readLine() != null) {
            // wait until told to close
        }
    }

    private static void scan(PartyMap<byte[]> map, HeapWatch heap, BufferedReader in) throws IOException {
        reply("READY " + map.role());
        if (!"go".equals(in.readLine())) {
            return;
        }
        heap.reset();
        long start = System.nanoTime();
        long n = 0;
        for (Map.Entry<String, byte[]> e : map.entrySet()) {
            n += e.getValue().length > 0 ? 1 : 0;
        }
        reply("SCANNED " + n + " " + (System.nanoTime() - start) + " " + heap.report());
        while (in.readLine() != null) {
            // wait until told to close
        }
    }

    private static void write(PartyMap<byte[]> map, long pauseMicros, BufferedReader in) throws IOException {
        long[] issued = new long[WRITE_LOG];
        long[] acked = new long[WRITE_LOG];
        AtomicLong written = new AtomicLong();
        byte[] value = BenchData.value(-1);
        String prefix = "w" + ProcessHandle.current().pid() + "-";
        Thread writer = new Thread(() -> {
            for (long i = 0; ; i++) {
                long start = System.nanoTime();
                try {
                    map.put(prefix + (i % WRITER_KEYS), value);
                } catch (PartyClosedException e) {
                    return;
                } catch (RuntimeException e) {
                    continue; // no leader in time: try the next write
                }
                int slot = (int) (written.get() % WRITE_LOG);
                issued[slot] = start;
                acked[slot] = System.nanoTime();
                written.incrementAndGet();
                if (pauseMicros > 0) {
                    LockSupport.parkNanos(pauseMicros * 1000);
                }
            }
        }, "writer");
        writer.setDaemon(true);
        writer.start();
        reply("READY " + map.role());
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.split(" ");
            if (words[0].equals("role")) {
                reply("ROLE " + map.role());
            } else if (words[0].equals("close")) {
                long closing = System.nanoTime();
                map.close();
                reply("CLOSED " + closing);
            } else if (words[0].equals("since")) {
                long from = Long.parseLong(words[1]);
                long issuedFrom = Long.parseLong(words[2]);
                long n = written.get();
                String gap = "none";
                for (long i = Math.max(0, n - WRITE_LOG); i < n; i++) {
                    int slot = (int) (i % WRITE_LOG);
                    if (issued[slot] >= issuedFrom) {
                        gap = String.valueOf(acked[slot] - from);
                        break;
                    }
                }
                reply("GAP " + gap);
            }
        }
    }
}
