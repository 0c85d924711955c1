package io.levelparty.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/** Writes the figures of one run as {@code BENCHMARKS.md}. */
final class Markdown {
    /** Where level-party's figures are: measured in their own run, never in this one. */
    private static final String SIDE_BY_SIDE = "level-party: see \"LevelParty beside level-party\"";

    private final Map<String, RunResult> jmh;
    private final List<String> rows = new ArrayList<>();
    private final List<String> missed = new ArrayList<>();

    Markdown(Map<String, RunResult> jmh) {
        this.jmh = jmh;
    }

    private Result<?> result(String benchmark) {
        RunResult r = jmh.get(benchmark);
        if (r == null) {
            throw new IllegalStateException("no result for benchmark " + benchmark);
        }
        return r.getPrimaryResult();
    }

    /** Nanoseconds per unit of a JMH score in {@code unit}, such as "us/op". */
    private static double nanosPer(String unit) {
        return switch (unit.substring(0, unit.indexOf('/'))) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            default -> throw new IllegalStateException("unexpected unit " + unit);
        };
    }

    /** The mean time of one operation, in nanoseconds. */
    private double meanNanos(String benchmark) {
        Result<?> r = result(benchmark);
        return r.getScore() * nanosPer(r.getScoreUnit());
    }

    /** The median time of one operation, in nanoseconds (sample-time benchmarks). */
    private double medianNanos(String benchmark) {
        Result<?> r = result(benchmark);
        return r.getStatistics().getPercentile(50) * nanosPer(r.getScoreUnit());
    }

    private double opsPerSecond(String benchmark) {
        return 1e9 / meanNanos(benchmark);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static String ops(double perSecond) {
        return perSecond >= 1e6 ? f("%.2f M", perSecond / 1e6) : f("%.1f k", perSecond / 1e3);
    }

    static String micros(double nanos) {
        if (nanos >= 1e6) {
            return f("%.1f ms", nanos / 1e6);
        }
        return nanos >= 1e3 ? f("%.1f µs", nanos / 1e3) : f("%.0f ns", nanos);
    }

    static String kib(long bytes) {
        return f("%.0f KiB", bytes / 1024.0);
    }

    static String mib(long bytes) {
        return f("%.0f MiB", bytes / 1048576.0);
    }

    private void row(String measure, String ours, String baseline, String ratio, String target, boolean met) {
        rows.add("| " + measure + " | " + ours + " | " + baseline + " | " + ratio + " | " + target + " | "
                + (met ? "met" : "**missed**") + " |");
        if (!met) {
            missed.add(measure);
        }
    }

    /**
     * The leader rows again on the Java LevelDB engine (LeaderBench's {@code engine} parameter):
     * the map against the raw Java engine, and the Java engine against the native one.
     */
    private void javaEngineRows() {
        String[][] rowsOf = {{"Get", "`get`", "ops/s"}, {"Put", "`put`", "ops/s"}, {"Scan", "range scan", "entries/s"}};
        for (String[] r : rowsOf) {
            double map = opsPerSecond("leader" + r[0] + "@JAVA");
            double raw = opsPerSecond("raw" + r[0] + "@JAVA");
            double nativeMap = opsPerSecond("leader" + r[0]);
            info(f("Java engine: leader %s, no followers (%s, one thread)", r[1], r[2]), ops(map),
                    "raw Java engine: " + ops(raw) + "; the native engine's leader: " + ops(nativeMap),
                    f("%.2f× raw; %.2f× native", map / raw, map / nativeMap));
        }
    }

    private void info(String measure, String ours, String baseline, String ratio) {
        rows.add("| " + measure + " | " + ours + " | " + baseline + " | " + ratio + " | — | — |");
    }

    private static String missing(Harness.Failover failover) {
        return failover.gapsMissing() > 0 ? f(" (%d survivors wrote nothing within 10 s)", failover.gapsMissing()) : "";
    }

    /** Writes the document; {@code failoverSaturated} and {@code failoverInMemory} are null if the profile skips them. */
    String document(Report.Profile profile, String command, String date, long seconds, String machineLoad,
            List<Harness.Load> loads,
            Harness.Failover failover, FailoverFloor.Floor failoverFloor, Harness.Failover failoverSaturated,
            Harness.Failover failoverInMemory,
            Harness.Staleness staleness, List<Harness.Memory> memory,
            String diagnosis) {
        double leaderGet = opsPerSecond("leaderGet");
        double rawGet = opsPerSecond("rawGet");
        row("Leader `get`, no followers (ops/s, one thread)", ops(leaderGet), "raw leveldbjni `get`: " + ops(rawGet),
                f("%.2f×", leaderGet / rawGet), "≥ 0.85×", leaderGet / rawGet >= 0.85);
        double leaderPut = opsPerSecond("leaderPut");
        double rawPut = opsPerSecond("rawPut");
        row("Leader `put`, no followers (ops/s, one thread)", ops(leaderPut), "raw leveldbjni `put`: " + ops(rawPut),
                f("%.2f×", leaderPut / rawPut), "≥ 0.85×", leaderPut / rawPut >= 0.85);
        double rawGetAndPut = opsPerSecond("rawGetAndPut");
        info("… leader `put` against raw `get` then `put` of the same key: the same work, since `Map.put` "
                + "returns the previous value", ops(leaderPut) + " (median " + micros(medianNanos("leaderPut")) + ")",
                ops(rawGetAndPut) + " (median " + micros(medianNanos("rawGetAndPut")) + ")",
                f("%.2f×", leaderPut / rawGetAndPut));

        double followerGet = medianNanos("followerGet");
        double ping = medianNanos("pingPong");
        double rawGetMedian = medianNanos("rawGet");
        double floor = ping + rawGetMedian;
        row("Follower uncached `get` latency (median)", micros(followerGet),
                "socket round trip " + micros(ping) + " + raw `get` " + micros(rawGetMedian) + " = " + micros(floor),
                f("%.2f×", followerGet / floor), "≤ 1.5×", followerGet / floor <= 1.5);
        double meanRatio = meanNanos("followerGet") / (meanNanos("pingPong") + meanNanos("rawGet"));
        info("… the same, means", micros(meanNanos("followerGet")),
                micros(meanNanos("pingPong")) + " + " + micros(meanNanos("rawGet")), f("%.2f×", meanRatio));

        for (String op : new String[] {"Get", "Put"}) {
            info("Follower sequential `" + op.toLowerCase(Locale.ROOT) + "` (ops/s, one thread)",
                    ops(opsPerSecond("follower" + op)), SIDE_BY_SIDE, "");
        }
        Harness.Load ceiling = loads.stream().filter(l -> l.spec().kind() == Harness.LoadKind.RAW_LEVELDB)
                .findFirst().orElse(null);
        for (Harness.Load load : loads) {
            Harness.LoadSpec spec = load.spec();
            String what = f("%s%d thread%s, %d%% puts%s (ops/s; latency p50 / p99 / p99.9) [warmed up %d s]",
                    spec.kind() == Harness.LoadKind.RAW_LEVELDB ? "Raw leveldbjni in one process, no LevelParty, "
                            : f("%d follower process%s × ", spec.processes(), spec.processes() == 1 ? "" : "es"),
                    spec.threads(), spec.threads() == 1 ? "" : "s", spec.putPercent(),
                    spec.kind() == Harness.LoadKind.UNCACHED ? ", no cache (`cacheSize(0)`)" : "",
                    load.warmupSeconds());
            String ours = ops(load.opsPerSecond()) + "; " + micros(load.p50()) + " / " + micros(load.p99()) + " / "
                    + micros(load.p999());
            if (spec.kind() != Harness.LoadKind.RAW_LEVELDB && ceiling != null
                    && spec.processes() * spec.threads() == ceiling.spec().threads()
                    && spec.putPercent() == ceiling.spec().putPercent()) {
                info(what, ours, "the same load on raw leveldbjni in one process: " + ops(ceiling.opsPerSecond()),
                        f("%.2f×", load.opsPerSecond() / ceiling.opsPerSecond()));
            } else {
                info(what, ours, "", "");
            }
        }

        double caffeine = meanNanos("caffeineGetIfPresent");
        double chm = meanNanos("concurrentHashMapGet");
        double cachedGet = meanNanos("followerCachedGet");
        row("Follower cached `get`, `Consistency.STRICT` (time per get; the ratio is Caffeine's time ÷ ours)",
                micros(cachedGet), "Caffeine `getIfPresent` " + micros(caffeine) + "; `ConcurrentHashMap.get` "
                        + micros(chm), f("%.2f×", caffeine / cachedGet), "≥ 0.5×", caffeine / cachedGet >= 0.5);

        long[] stale = staleness.sorted();
        info(f("`Consistency.RELAXED` staleness: from another process's put returning to this follower's "
                + "cached reads showing it (%,d writes): median / p99 / max", stale.length),
                micros(Stats.percentile(stale, 50)) + " / " + micros(Stats.percentile(stale, 99)) + " / "
                        + micros(stale[stale.length - 1]), "the bound `Consistency.RELAXED` documents: one push",
                "");

        double followerScan = opsPerSecond("followerScan");
        double leaderScan = opsPerSecond("leaderScan");
        row("Range scan from a follower (entries/s)", ops(followerScan), "leader-local scan: " + ops(leaderScan),
                f("%.2f×", followerScan / leaderScan), "≥ 0.5×",
                followerScan / leaderScan >= 0.5);
        double rawScan = opsPerSecond("rawScan");
        info("Leader-local range scan (entries/s)", ops(leaderScan), "raw leveldbjni iterator: " + ops(rawScan),
                f("%.2f×", leaderScan / rawScan));
        javaEngineRows();

        row(f("Failover: SIGKILL of the leader → next acknowledged write, median (%d kills, %d samples; "
                + "3 processes with -Xmx%s, each writing with a %d µs pause between writes; data in %s)",
                failover.kills(), failover.gaps().length, Report.FAILOVER_HEAP, Report.FAILOVER_PAUSE_MICROS,
                Report.DISK),
                micros(failover.median()), SIDE_BY_SIDE, "", "< 10 ms", failover.median() < 10e6
                        && failover.gapsMissing() == 0);
        info("Failover: every sample, sorted", samplesInMillis(failover.gaps()), "", "");
        row("Failover: … maximum" + missing(failover),
                micros(failover.max()), "", "", "< 50 ms",
                failover.max() < 50e6 && failover.gapsMissing() == 0);
        floorRows(failover, failoverFloor);
        if (failoverSaturated != null) {
            info(f("… the same with writers that never pause, which keeps both CPUs busy: median / maximum%s",
                    missing(failoverSaturated)),
                    micros(failoverSaturated.median()) + " / " + micros(failoverSaturated.max()),
                    "every sample: " + samplesInMillis(failoverSaturated.gaps()), "");
        }
        if (failoverInMemory != null) {
            info(f("… the same with the data in %s (tmpfs: LevelDB's fsyncs cost nothing): median / maximum%s",
                    Report.MEMORY, missing(failoverInMemory)),
                    micros(failoverInMemory.median()) + " / " + micros(failoverInMemory.max()),
                    "every sample: " + samplesInMillis(failoverInMemory.gaps()), "");
        }
        for (Harness.Memory m : memory) {
            long cap = m.follower().max();
            boolean bounded = m.follower().peakUsed() <= cap && m.leader().peakUsed() <= m.leader().max();
            String who = m.followers() == 1 ? "a follower scanning"
                    : f("the leader serving %d followers, each scanning", m.followers());
            row(f("Memory: %s %,d entries (heap high-water: peak used / most retained after GC)", who, m.entries()),
                    "follower " + mib(m.follower().peakUsed()) + " / " + mib(m.follower().peakRetained()) + " (-Xmx"
                            + mib(cap) + "); leader " + mib(m.leader().peakUsed()) + " / "
                            + mib(m.leader().peakRetained()) + " (-Xmx" + mib(m.leader().max()) + ")",
                    f("the entries themselves: ~%s", mib(m.entries() * (11 + BenchData.VALUE_BYTES))),
                    f("slowest follower %s entries/s", ops(m.entriesPerSecond())), "bounded", bounded);
        }

        double leaderBatch = opsPerSecond("leaderBatch");
        double rawBatch = opsPerSecond("rawBatch");
        double followerBatch = opsPerSecond("followerBatch");
        info(f("Atomic batch of %d puts, leader (entries/s)", BenchData.BATCH), ops(leaderBatch),
                "raw leveldbjni `WriteBatch`: " + ops(rawBatch), f("%.2f×", leaderBatch / rawBatch));
        info(f("Atomic batch of %d puts, follower (entries/s)", BenchData.BATCH), ops(followerBatch),
                "raw leveldbjni `WriteBatch`: " + ops(rawBatch), f("%.2f×", followerBatch / rawBatch));
        info("Follower `put` latency (median)", micros(medianNanos("followerPut")),
                "socket round trip " + micros(ping) + " + raw `put` " + micros(medianNanos("rawPut")),
                f("%.2f×", medianNanos("followerPut") / (ping + medianNanos("rawPut"))));

        StringBuilder out = new StringBuilder();
        out.append("# LevelParty benchmarks\n\n");
        out.append("Written by `").append(command).append("` (the ").append(profile.name())
                .append(" profile) in ").append(seconds).append(" s; every figure below comes from that one run.\n\n");
        out.append("- Machine: ").append(Report.machine()).append("\n");
        out.append("- JDK: ").append(Report.jdk()).append("\n");
        out.append("- Date: ").append(date).append(" UTC\n");
        out.append("- Machine load during the run: ").append(machineLoad).append(" (2 CPUs)\n");
        out.append(f("- JMH: %d fork(s), %d × %d s warm-up, %d × %d s measurement per benchmark; "
                + "load runs: warmed up until the JIT compilers of all their processes are done, at least %d s and "
                + "at most %d s (in brackets after each), then %d s measured%n", profile.forks(), profile.warmups(),
                profile.iterationSeconds(), profile.measurements(), profile.iterationSeconds(), profile.loadWarmup(),
                profile.loadWarmupMax(), profile.loadSeconds()));
        out.append(f("- Data: %,d entries, %d-byte keys, %d-byte values; batches of %d; scans of %,d entries%n%n",
                BenchData.ENTRIES, 11, BenchData.VALUE_BYTES, BenchData.BATCH, BenchData.SCAN));
        out.append("Ratios are LevelParty ÷ baseline: for throughput higher is better, for latency lower. "
                + "level-party's figures, and the targets set against them, are in the section \"LevelParty beside "
                + "level-party\" (`bench/run.sh party`), which measures both libraries in one run; this table has "
                + "none.\n\n");
        table(out, "| Measure | LevelParty | Baseline | Ratio | Target | Verdict |", rows, missed);
        out.append('\n');
        out.append(diagnosis.strip()).append('\n');
        return out.toString();
    }

    /** Appends a table of six columns under {@code header}, and a line naming the {@code missed} targets. */
    static void table(StringBuilder out, String header, List<String> rows, List<String> missed) {
        out.append(header).append("\n|---|---|---|---|---|---|\n");
        rows.forEach(r -> out.append(r).append('\n'));
        out.append('\n');
        out.append(missed.isEmpty() ? "Every target was met in this run.\n"
                : "Missed in this run: " + String.join("; ", missed) + ".\n");
    }

    /**
     * The rows of the failover's floor: the two steps of every failover that run no LevelParty
     * code, measured on their own in the same run, and the failover's median against their sum.
     */
    private void floorRows(Harness.Failover failover, FailoverFloor.Floor floor) {
        long[] end = FailoverFloor.Floor.sorted(floor.endOfStream());
        long[] open = FailoverFloor.Floor.sorted(floor.recovery());
        long[] sums = floor.sums();
        long resident = Stats.percentile(FailoverFloor.Floor.sorted(floor.residentBytes()), 50);
        long leaderResident = Stats.percentile(FailoverFloor.Floor.sorted(failover.residentBytes()), 50);
        long log = Stats.percentile(FailoverFloor.Floor.sorted(floor.logBytes()), 50);
        long leaderLog = Stats.percentile(FailoverFloor.Floor.sorted(failover.logBytes()), 50);
        info(f("Failover floor 1, no LevelParty code: SIGKILL → end of stream on a junixsocket connection to the "
                + "killed process, a JVM with -Xmx%s that holds LevelDB open and writes "
                + "(%d kills; resident at the kill: median %s, the failover's leaders %s): median / maximum",
                Report.FAILOVER_HEAP, end.length, mib(resident), mib(leaderResident)),
                "—", micros(Stats.percentile(end, 50)) + " / " + micros(end[end.length - 1]) + "; every sample: "
                        + samplesInMillis(end), "");
        info(f("Failover floor 2, no LevelParty code: LevelDB open of the killed process's directory, with the "
                + "leader's options (1 MiB write buffer), replaying its log (median %s, the failover's leaders "
                + "left %s; data in %s): median / maximum", kib(log), kib(leaderLog), Report.DISK),
                "—", micros(Stats.percentile(open, 50)) + " / " + micros(open[open.length - 1]) + "; every sample: "
                        + samplesInMillis(open), "");
        info("Failover floor 1 + 2, per kill: median / maximum", "—",
                micros(Stats.percentile(sums, 50)) + " / " + micros(sums[sums.length - 1]) + "; every sample: "
                        + samplesInMillis(sums), "");
        long floorMedian = Stats.percentile(sums, 50);
        info("Failover median against its floor: the ratio, and in brackets the time LevelParty adds to 1 + 2",
                micros(failover.median()), "floor 1 + 2, median: " + micros(floorMedian),
                f("%.2f× (+%s)", (double) failover.median() / floorMedian,
                        micros(failover.median() - floorMedian)));
    }

    private static String samplesInMillis(long[] nanos) {
        StringBuilder out = new StringBuilder();
        for (long n : nanos) {
            out.append(out.length() == 0 ? "" : ", ").append(f(n < 10e6 ? "%.1f" : "%.0f", n / 1e6));
        }
        return out.append(" ms").toString();
    }
}
