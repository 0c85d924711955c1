package io.levelparty.bench;

import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The multi-process runs: a leader process and follower processes ({@link LoadChild}), each a
 * separate JVM, as an application of several processes would be.
 */
final class Harness {
    /**
     * How long the failover run lets its processes write before each kill, long enough for the
     * process started after the last kill to be past its start-up and JIT compilation, which
     * would otherwise compete with the election for the two CPUs.
     */
    private static final long SETTLE_MILLIS = 1_500;
    /** How many child JVMs are started at once. */
    private static final int START_WAVE = 4;
    /**
     * A load run is warmed up once its processes' JIT compilers together were busy for less than
     * this many milliseconds of one second (the compilers' elapsed time, summed over processes and
     * compiler threads). Five JVMs compiling on two CPUs take 10–40 s to get there; until then the
     * compilers take a third of the CPUs, and the throughput measured is half of what follows.
     */
    private static final long SETTLED_COMPILE_MILLIS = 250;

    private Harness() {}

    /** What does a load's operations. */
    enum LoadKind {
        /** Follower processes with the default cache, and a leader process. */
        CACHED,
        /** Follower processes without a cache ({@code cacheSize(0)}), and a leader process. */
        UNCACHED,
        /** One process on leveldbjni itself, no LevelParty: the ceiling of the others. */
        RAW_LEVELDB
    }

    /**
     * A load: {@code processes} of {@code threads} threads each, reading and writing keys chosen
     * uniformly, or if {@code skewed} as Zipf's law with exponent 1 would (see {@link LoadChild}).
     */
    record LoadSpec(int processes, int threads, int putPercent, LoadKind kind, boolean skewed) {
        LoadSpec {
            if (kind == LoadKind.RAW_LEVELDB && processes != 1) {
                throw new IllegalArgumentException("only one process can open LevelDB itself, not " + processes);
            }
        }

        /** A load on uniformly chosen keys. */
        LoadSpec(int processes, int threads, int putPercent, LoadKind kind) {
            this(processes, threads, putPercent, kind, false);
        }

        private String keys() {
            return skewed ? "skewed" : "uniform";
        }
    }

    /** Aggregate throughput and latency percentiles of a load run, and how long it warmed up. */
    record Load(LoadSpec spec, int warmupSeconds, double opsPerSecond, long p50, long p99, long p999) {}

    /**
     * SIGKILL of the leader to the next acknowledged write, in nanoseconds, one per surviving
     * process and kill, sorted; and per kill, the killed leader's resident memory and unreplayed
     * LevelDB log, in bytes, just before the kill.
     */
    record Failover(int kills, long[] gaps, int gapsMissing, long[] residentBytes, long[] logBytes) {
        long median() {
            return Stats.percentile(gaps, 50);
        }

        long max() {
            return gaps.length == 0 ? 0 : gaps[gaps.length - 1];
        }
    }

    /** A process's heap high-water marks, in bytes. */
    record Heap(long peakUsed, long peakRetained, long max) {
        static Heap parse(String words) {
            long[] v = Arrays.stream(words.trim().split(" ")).mapToLong(Long::parseLong).toArray();
            return new Heap(v[0], v[1], v[2]);
        }
    }

    /** A scan of the whole map by one follower (the slowest, when many scan at once) and the heaps involved. */
    record Memory(long entries, int followers, double entriesPerSecond, Heap follower, Heap leader) {}

    /** How long a RELAXED follower kept serving a value after another process's write of a new one returned, sorted, in ns. */
    record Staleness(long[] sorted) {}

    /**
     * Measures {@link Consistency#RELAXED}'s staleness: with a leader in another process, a writer
     * and a RELAXED reader in this one (two maps, two connections, as two processes would have),
     * {@code samples} times: the writer puts a new value, and from the moment its put returns the
     * reader reads until it sees that value; the time that takes is how long the reader's cache
     * served the overwritten value.
     */
    static Staleness relaxedStaleness(int samples) throws IOException {
        Path dir = BenchData.tempDir("lp-staleness");
        String db = dir.resolve("db").toString();
        try (ChildJvm leader = ChildJvm.start("leader", LoadChild.class, List.of(), "serve", db, "0")) {
            leader.expect("READY");
            try (PartyMap<byte[]> writer = LevelParty.open(Path.of(db), Codecs.bytes());
                    PartyMap<byte[]> reader = LevelParty.open(Path.of(db),
                            PartyOptions.of(Codecs.bytes()).consistency(Consistency.RELAXED))) {
                long[] stale = new long[samples];
                for (int i = -samples / 10; i < samples; i++) { // the first tenth warms up
                    byte[] value = BenchData.value(samples + i);
                    writer.put("k", value);
                    long written = System.nanoTime();
                    while (!Arrays.equals(reader.get("k"), value)) {
                        Thread.onSpinWait();
                    }
                    if (i >= 0) {
                        stale[i] = System.nanoTime() - written;
                    }
                }
                Arrays.sort(stale);
                return new Staleness(stale);
            }
        } finally {
            BenchData.delete(dir);
        }
    }

    /**
     * Runs the load {@code spec}, unmeasured for at least {@code minWarmup} seconds and until the
     * JIT compilers of every process, the leader's too, are done ({@link #SETTLED_COMPILE_MILLIS})
     * or {@code maxWarmup} seconds have passed, then measures it for {@code seconds}.
     */
    static Load load(LoadSpec spec, int minWarmup, int maxWarmup, int seconds) throws IOException {
        Path dir = BenchData.tempDir("lp-load");
        String db = dir.resolve("db").toString();
        List<ChildJvm> children = new ArrayList<>();
        try {
            List<ChildJvm> loaders = new ArrayList<>();
            if (spec.kind() == LoadKind.RAW_LEVELDB) {
                loaders.add(ChildJvm.start("raw", LoadChild.class, List.of(), "rawload", db,
                        String.valueOf(spec.threads()), String.valueOf(seconds), String.valueOf(spec.putPercent()),
                        String.valueOf(BenchData.ENTRIES), dir.resolve("latencies-0").toString(), spec.keys()));
                children.addAll(loaders);
                expectRole(loaders.get(0), "RAW");
            } else {
                ChildJvm leader = ChildJvm.start("leader", LoadChild.class, List.of(), "serve", db,
                        String.valueOf(BenchData.ENTRIES));
                children.add(leader);
                expectRole(leader, "LEADER");
                for (int i = 0; i < spec.processes(); i++) {
                    loaders.add(ChildJvm.start("load-" + i, LoadChild.class, List.of(), "load", db,
                            String.valueOf(spec.threads()), String.valueOf(seconds),
                            String.valueOf(spec.putPercent()), String.valueOf(BenchData.ENTRIES),
                            dir.resolve("latencies-" + i).toString(),
                            spec.kind() == LoadKind.CACHED ? "cached" : "uncached", spec.keys()));
                }
                children.addAll(loaders);
                for (ChildJvm loader : loaders) {
                    expectRole(loader, "FOLLOWER");
                }
            }
            loaders.forEach(f -> f.send("go"));
            int warmup = warmUp(children, minWarmup, maxWarmup);
            loaders.forEach(f -> f.send("measure"));
            double opsPerSecond = 0;
            for (ChildJvm f : loaders) {
                String[] done = f.expect("DONE").split(" ");
                opsPerSecond += Long.parseLong(done[0]) * 1e9 / Long.parseLong(done[1]);
            }
            long[] latencies = readLatencies(dir, loaders.size());
            Arrays.sort(latencies);
            children.forEach(ChildJvm::stop);
            return new Load(spec, warmup, opsPerSecond, Stats.percentile(latencies, 50),
                    Stats.percentile(latencies, 99), Stats.percentile(latencies, 99.9));
        } finally {
            children.forEach(ChildJvm::close);
            BenchData.delete(dir);
        }
    }

    /** Waits until {@code processes} are warmed up, as {@link #load} says; returns how many seconds that took. */
    private static int warmUp(List<ChildJvm> processes, int minSeconds, int maxSeconds) {
        long compiled = compileMillis(processes);
        int seconds = 0;
        while (seconds < maxSeconds) {
            sleepOneSecond();
            seconds++;
            long now = compileMillis(processes);
            boolean settled = now - compiled < SETTLED_COMPILE_MILLIS;
            compiled = now;
            if (settled && seconds >= minSeconds) {
                break;
            }
        }
        return seconds;
    }

    private static long compileMillis(List<ChildJvm> processes) {
        return processes.stream().mapToLong(p -> Long.parseLong(p.ask("jit", "JIT"))).sum();
    }

    private static void sleepOneSecond() {
        try {
            TimeUnit.SECONDS.sleep(1); // a sampling interval: there is no event to wait for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while warming up", e);
        }
    }

    private static long[] readLatencies(Path dir, int processes) throws IOException {
        long total = 0;
        for (int i = 0; i < processes; i++) {
            total += Files.size(dir.resolve("latencies-" + i)) / Long.BYTES;
        }
        long[] all = new long[Math.toIntExact(total)];
        int n = 0;
        for (int i = 0; i < processes; i++) {
            try (DataInputStream in = new DataInputStream(
                    new BufferedInputStream(Files.newInputStream(dir.resolve("latencies-" + i))))) {
                while (true) {
                    all[n++] = in.readLong();
                }
            } catch (EOFException end) {
                n--; // the read that hit the end stored nothing
            }
        }
        return all;
    }

    /**
     * Keeps three processes writing, pausing {@code pauseMicros} between writes (0: without pause,
     * which keeps the machine's CPUs busy), and {@code kills} times SIGKILLs whichever leads
     * and measures, in each survivor, the time from the kill to the acknowledgement of its first
     * write issued after the killed process was seen to stop (a write issued between the signal and
     * that moment may still be served by the dying leader); then starts a process to replace it.
     * The processes run with a heap of {@code heap}: the kernel releases a killed process's socket
     * and lock only after it has unmapped its memory, which takes longer the more memory it used.
     * The data directory is made under {@code base}.
     */
    static Failover failover(int kills, String heap, Path base, long pauseMicros) throws Exception {
        Path dir = BenchData.tempDir(base, "lp-failover");
        Path db = dir.resolve("db");
        List<ChildJvm> alive = new ArrayList<>();
        List<ChildJvm> all = new ArrayList<>();
        List<Long> gaps = new ArrayList<>();
        long[] resident = new long[kills];
        long[] log = new long[kills];
        int missing = 0;
        List<String> jvmArgs = List.of("-Xmx" + heap);
        try {
            for (int i = 0; i < 3; i++) {
                ChildJvm child = ChildJvm.start("writer-" + i, LoadChild.class, jvmArgs, "write", db.toString(),
                        Long.toString(pauseMicros));
                child.expect("READY");
                alive.add(child);
                all.add(child);
            }
            for (int k = 0; k < kills; k++) {
                TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS);
                ChildJvm leader = null;
                for (ChildJvm child : alive) {
                    if (child.ask("role", "ROLE").equals("LEADER")) {
                        leader = child;
                    }
                }
                if (leader == null) {
                    throw new IllegalStateException("no process leads " + db);
                }
                resident[k] = leader.residentBytes();
                log[k] = FailoverFloor.logBytes(db);
                long killedAt = System.nanoTime();
                leader.kill();
                leader.awaitStop();
                long stoppedAt = System.nanoTime();
                alive.remove(leader);
                for (ChildJvm survivor : alive) {
                    long gap = awaitGap(survivor, killedAt, stoppedAt);
                    if (gap < 0) {
                        missing++;
                    } else {
                        gaps.add(gap);
                    }
                }
                ChildJvm fresh = ChildJvm.start("writer-" + (k + 3), LoadChild.class, jvmArgs, "write", db.toString(),
                        Long.toString(pauseMicros));
                fresh.expect("READY");
                alive.add(fresh);
                all.add(fresh);
            }
            alive.forEach(ChildJvm::stop);
        } finally {
            all.forEach(ChildJvm::close);
            BenchData.delete(dir);
        }
        long[] sorted = gaps.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Failover(kills, sorted, missing, resident, log);
    }

    /** Returns the survivor's gap after {@code killedAt}, or -1 if it wrote nothing within 10 s. */
    static long awaitGap(ChildJvm survivor, long killedAt, long stoppedAt) throws InterruptedException {
        long giveUp = killedAt + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < giveUp) {
            String gap = survivor.ask("since " + killedAt + " " + stoppedAt, "GAP");
            if (!gap.equals("none")) {
                return Long.parseLong(gap);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return -1;
    }

    /**
     * Loads {@code entries} entries, then has one follower scan them all, then {@code followers}
     * followers scan them all at once; followers run with {@code followerHeap} as -Xmx, the leader
     * with {@code leaderHeap}.
     */
    static List<Memory> memory(int entries, int followers, String followerHeap, String leaderHeap) throws IOException {
        Path dir = BenchData.tempDir("lp-memory");
        String db = dir.resolve("db").toString();
        List<ChildJvm> children = new ArrayList<>();
        try {
            ChildJvm leader = ChildJvm.start("leader", LoadChild.class, List.of("-Xmx" + leaderHeap), "serve", db,
                    String.valueOf(entries));
            children.add(leader);
            expectRole(leader, "LEADER");
            List<Memory> runs = new ArrayList<>();
            for (int group : new int[] {1, followers}) {
                List<ChildJvm> scanners = new ArrayList<>();
                // Started a few at a time: sixteen JVMs starting at once on two CPUs take minutes.
                for (int i = 0; i < group; i += START_WAVE) {
                    List<ChildJvm> wave = new ArrayList<>();
                    for (int j = i; j < Math.min(group, i + START_WAVE); j++) {
                        wave.add(ChildJvm.start("scan-" + j, LoadChild.class, List.of("-Xmx" + followerHeap), "scan",
                                db));
                    }
                    children.addAll(wave);
                    for (ChildJvm s : wave) {
                        expectRole(s, "FOLLOWER");
                    }
                    scanners.addAll(wave);
                }
                leader.ask("reset", "RESET");
                scanners.forEach(s -> s.send("go"));
                long slowest = 0;
                long scanned = 0;
                Heap worst = null;
                for (ChildJvm s : scanners) {
                    String[] words = s.expect("SCANNED").split(" ", 3);
                    scanned = Long.parseLong(words[0]);
                    slowest = Math.max(slowest, Long.parseLong(words[1]));
                    Heap heap = Heap.parse(words[2]);
                    if (worst == null || heap.peakUsed() > worst.peakUsed()) {
                        worst = heap;
                    }
                }
                if (scanned != entries) {
                    throw new IllegalStateException("a follower scanned " + scanned + " of " + entries + " entries");
                }
                Heap leaderHeapUse = Heap.parse(leader.ask("heap", "HEAP"));
                runs.add(new Memory(scanned, group, scanned * 1e9 / slowest, worst, leaderHeapUse));
                scanners.forEach(ChildJvm::stop);
            }
            leader.stop();
            return runs;
        } finally {
            children.forEach(ChildJvm::close);
            BenchData.delete(dir);
        }
    }

    private static void expectRole(ChildJvm child, String role) {
        String actual = child.expect("READY");
        if (!actual.equals(role)) {
            throw new IllegalStateException(child + " is " + actual + ", expected " + role);
        }
    }
}
