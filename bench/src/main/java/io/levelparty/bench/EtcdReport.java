package io.levelparty.bench;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the etcd benchmarks, each beside its jetcd or Caffeine baseline, on one {@link LoopbackEtcd}
 * started for the run, and writes their section of {@code BENCHMARKS.md}: the text between
 * {@link #BEGIN} and {@link #END}, replaced on each run, the rest of the file left as it is.
 *
 * <pre>
 * EtcdReport REPO_ROOT COMMAND
 * </pre>
 * The diagnosis of the targets, {@code bench/etcd-diagnosis.md}, is copied below the figures.
 */
public final class EtcdReport {
    /** The first line of the etcd section of {@code BENCHMARKS.md}. */
    static final String BEGIN = "<!-- etcd benchmarks: begin. Written by bench/run.sh etcd, replaced on each run. -->";
    /** The last line of the etcd section. */
    static final String END = "<!-- etcd benchmarks: end -->";
    private static final String DIAGNOSIS = "bench/etcd-diagnosis.md";
    private static final int FORKS = 1;
    private static final int WARMUPS = 1;
    private static final int MEASUREMENTS = 5;
    private static final int ITERATION_SECONDS = 1;
    private static final int PROCESSES = 3;
    private static final int THREADS = 16;
    private static final int PUT_PERCENT = 50;
    private static final int LOAD_WARMUP_SECONDS = 5;
    private static final int LOAD_SECONDS = 10;
    private static final Map<String, Double> NANOS_PER_UNIT = Map.of("ns", 1.0, "us", 1e3, "ms", 1e6, "s", 1e9);

    private final Map<String, RunResult> jmh;
    private final List<String> rows = new ArrayList<>();
    private final List<String> missed = new ArrayList<>();

    private EtcdReport(Map<String, RunResult> jmh) {
        this.jmh = jmh;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String command = args[1];
        long started = System.nanoTime();
        String loadBefore = Report.loadAverage();
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16);
        Map<String, RunResult> jmh;
        Map<String, Double> loads = new HashMap<>();
        try (LoopbackEtcd etcd = LoopbackEtcd.start()) {
            log("etcd at " + etcd.endpoint());
            jmh = runJmh(etcd.endpoint());
            String path = "/bench-load";
            try (PartyMap<byte[]> map = LevelParty.open(URI.create("etcd://" + etcd.endpoint() + path),
                    EtcdBench.patient(Codecs.bytes()))) {
                EtcdBench.load(map, EtcdBench.ENTRIES, BenchData::value);
            }
            for (String kind : List.of("strict", "raw", "relaxed")) {
                log("load: " + PROCESSES + " × " + THREADS + " threads, " + kind);
                loads.put(kind, load(kind, etcd.endpoint(), path));
            }
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        String machineLoad = "load average (1, 5, 15 min) " + loadBefore + " at the start, " + Report.loadAverage()
                + " at the end";
        EtcdReport report = new EtcdReport(jmh);
        String section = report.section(command, date, seconds, machineLoad, loads,
                Files.readString(root.resolve(DIAGNOSIS), StandardCharsets.UTF_8));
        Path file = root.resolve("BENCHMARKS.md");
        Files.writeString(file, replaceSection(Files.exists(file) ? Files.readString(file) : "", section),
                StandardCharsets.UTF_8);
        log("wrote the etcd section of " + file + " in " + seconds + " s");
    }

    /** Returns {@code document} with its etcd section replaced by {@code section}, or {@code section} appended. */
    static String replaceSection(String document, String section) {
        int begin = document.indexOf(BEGIN);
        int end = document.indexOf(END);
        if (begin < 0 || end < begin) {
            return document + (document.isEmpty() || document.endsWith("\n\n") ? "" : "\n") + section;
        }
        return document.substring(0, begin) + section + document.substring(end + END.length()).replaceFirst("^\n", "");
    }

    /** Returns the etcd section of the file {@code document}, with its end of line, or "" if it has none. */
    static String existingSection(Path document) throws IOException {
        if (!Files.exists(document)) {
            return "";
        }
        String text = Files.readString(document, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        return begin < 0 || end < begin ? "" : "\n" + text.substring(begin, end + END.length()) + "\n";
    }

    private static Map<String, RunResult> runJmh(String endpoint) throws Exception {
        Options options = new OptionsBuilder()
                .include("io\\.levelparty\\.bench\\.EtcdBench\\.")
                .jvmArgsAppend("-D" + EtcdBench.ENDPOINT + "=" + endpoint)
                .forks(FORKS)
                .warmupIterations(WARMUPS).warmupTime(TimeValue.seconds(ITERATION_SECONDS))
                .measurementIterations(MEASUREMENTS).measurementTime(TimeValue.seconds(ITERATION_SECONDS))
                .shouldFailOnError(true)
                .build();
        // By method name: EtcdBench.mapGet is "mapGet".
        return new Runner(options).run().stream()
                .collect(Collectors.toMap(r -> r.getParams().getBenchmark().replaceFirst(".*\\.", ""), r -> r));
    }

    /** Runs {@value #PROCESSES} child JVMs of {@value #THREADS} threads of {@code kind}; returns their ops/s together. */
    private static double load(String kind, String endpoint, String path) {
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int p = 0; p < PROCESSES; p++) {
                children.add(ChildJvm.start("etcd-load-" + kind + "-" + p, EtcdLoadChild.class, List.of("-Xmx256m"),
                        kind, endpoint, path, String.valueOf(THREADS), String.valueOf(LOAD_WARMUP_SECONDS),
                        String.valueOf(LOAD_SECONDS), String.valueOf(PUT_PERCENT)));
            }
            for (ChildJvm child : children) {
                child.expect("READY");
            }
            children.forEach(child -> child.send("go"));
            double total = 0;
            for (ChildJvm child : children) {
                String[] done = child.expect("DONE").split(" ");
                total += Long.parseLong(done[0]) * 1e9 / Long.parseLong(done[1]);
            }
            return total;
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    private double meanNanos(String benchmark) {
        RunResult run = jmh.get(benchmark);
        if (run == null) {
            throw new IllegalStateException("no result for benchmark " + benchmark);
        }
        Result<?> r = run.getPrimaryResult();
        String unit = r.getScoreUnit();
        return r.getScore() * NANOS_PER_UNIT.get(unit.substring(0, unit.indexOf('/')));
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private void row(String measure, String ours, String baseline, double ratio, String target, double floor) {
        boolean met = ratio >= floor;
        rows.add("| " + measure + " | " + ours + " | " + baseline + " | " + ratio(ratio) + " | " + target + " | "
                + (met ? "met" : "**missed**") + " |");
        if (!met) {
            missed.add(measure);
        }
    }

    private void info(String measure, String ours, String baseline, double ratio) {
        rows.add("| " + measure + " | " + ours + " | " + baseline + " | " + ratio(ratio) + " | — | — |");
    }

    /** Returns {@code ratio} as text, or a dash when a baseline did nothing to compare with. */
    private static String ratio(double ratio) {
        return Double.isFinite(ratio) ? f("%.2f×", ratio) : "—";
    }

    /** Returns operations per second as a whole number: loads on etcd do thousands, not millions. */
    private static String perSecond(double ops) {
        return f("%,.0f", ops);
    }

    private String section(String command, String date, long seconds, String machineLoad, Map<String, Double> loads,
            String diagnosis) {
        double mapGet = meanNanos("getMap");
        double rawGet = meanNanos("getRaw");
        row("etcd map `get`, STRICT (mean time per call, one thread)", Markdown.micros(mapGet),
                "jetcd `KV.get`: " + Markdown.micros(rawGet), rawGet / mapGet, "≥ 0.9×", 0.9);
        double check = meanNanos("getRawRevisionCheck");
        info("… what a STRICT cache would pay per hit: a transaction comparing the key's mod revision "
                + "with the cached one", Markdown.micros(check), "jetcd `KV.get`: " + Markdown.micros(rawGet),
                rawGet / check);
        double mapPut = meanNanos("putMap");
        double rawPut = meanNanos("putRaw");
        row("etcd map `put`, STRICT (mean time per call, one thread)", Markdown.micros(mapPut),
                "jetcd `KV.put`: " + Markdown.micros(rawPut), rawPut / mapPut, "≥ 0.9×", 0.9);
        double rawPutPrevious = meanNanos("putRawPrevious");
        info("… against jetcd `KV.put` with the previous value, which `Map.put` returns", Markdown.micros(mapPut),
                Markdown.micros(rawPutPrevious), rawPutPrevious / mapPut);
        double rawExactlyOnce = meanNanos("putRawExactlyOnce");
        info("… against the very transaction the map's put sends (the put with its previous value, and a "
                + "request record with a lease), sent with jetcd", Markdown.micros(mapPut),
                Markdown.micros(rawExactlyOnce), rawExactlyOnce / mapPut);
        double cached = meanNanos("cachedGetMap");
        double caffeine = meanNanos("cachedGetCaffeine");
        row("RELAXED cached `get` (time per get, every entry cached; string values of 100 bytes, "
                + "decoded once and shared)", Markdown.micros(cached),
                "Caffeine `getIfPresent`, same size and entries: " + Markdown.micros(caffeine), caffeine / cached,
                "≥ 0.5×", 0.5);
        double mapScan = EtcdBench.ENTRIES * 1e9 / meanNanos("scanMap");
        double rawScan = EtcdBench.ENTRIES * 1e9 / meanNanos("scanRaw");
        row(f("Range scan of %,d entries through the map's iterator (entries/s)", EtcdBench.ENTRIES),
                Markdown.ops(mapScan), "jetcd range paging, " + EtcdBench.PAGE + " per page: " + Markdown.ops(rawScan),
                mapScan / rawScan, "≥ 0.8×", 0.8);
        String load = f("%d JVMs × %d threads, %d%% puts (ops/s, together)", PROCESSES, THREADS, PUT_PERCENT);
        info(load + ", STRICT", perSecond(loads.get("strict")),
                "jetcd `KV.get`/`KV.put`, same JVMs and threads: " + perSecond(loads.get("raw")),
                loads.get("strict") / loads.get("raw"));
        info(load + ", RELAXED (default cache of 10,000 entries: every entry)", perSecond(loads.get("relaxed")),
                perSecond(loads.get("raw")), loads.get("relaxed") / loads.get("raw"));

        StringBuilder md = new StringBuilder();
        md.append(BEGIN).append("\n\n## LevelParty on etcd\n\n");
        md.append("Written by `").append(command).append("` in ").append(seconds)
                .append(" s; every figure below comes from that one run, each beside its baseline.\n\n");
        md.append("- Machine: ").append(Report.machine()).append('\n');
        md.append("- JDK: ").append(Report.jdk()).append('\n');
        md.append("- etcd: ").append(LoopbackEtcd.version()).append(", one member on loopback, its data in ")
                .append("`/dev/shm`, 10 ms heartbeat, started for the run\n");
        md.append("- Date: ").append(date).append(" UTC\n");
        md.append("- Machine load during the run: ").append(machineLoad).append(" (other builds and benchmarks "
                + "share the machine)\n");
        md.append(f("- JMH: %d fork(s), %d × %d s warm-up, %d × %d s measurement per benchmark; load runs: %d s "
                + "warm-up, then %d s measured%n", FORKS, WARMUPS, ITERATION_SECONDS, MEASUREMENTS, ITERATION_SECONDS,
                LOAD_WARMUP_SECONDS, LOAD_SECONDS));
        md.append(f("- Data: %,d entries, 11-byte map keys, 100-byte values; the baselines use the very etcd keys "
                + "and values the map wrote%n%n", EtcdBench.ENTRIES));
        md.append("Ratios are the baseline's time ÷ LevelParty's (or LevelParty's throughput ÷ the baseline's): "
                + "higher is better, 1× is as fast as the baseline.\n\n");
        md.append("| Measure | LevelParty on etcd | Baseline | Ratio | Target | Verdict |\n");
        md.append("|---|---|---|---|---|---|\n");
        rows.forEach(r -> md.append(r).append('\n'));
        md.append('\n').append(missed.isEmpty() ? "Every target was met in this run."
                : "Missed in this run: " + String.join("; ", missed) + ".").append("\n\n");
        md.append(diagnosis.strip()).append("\n\n").append(END).append('\n');
        return md.toString();
    }

    private static void log(String line) {
        System.out.println("# [" + ManagementFactory.getRuntimeMXBean().getUptime() / 1000 + " s] " + line);
        System.out.flush();
    }
}
