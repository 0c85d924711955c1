package io.levelparty.bench;

import static io.levelparty.bench.Harness.LoadKind.CACHED;
import static io.levelparty.bench.Harness.LoadKind.UNCACHED;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes the figures of {@link SideBySide} as the section "LevelParty beside level-party" of
 * {@code BENCHMARKS.md}, between two markers, so that each run replaces its own section and
 * {@link Report}, which writes the rest of the file, carries it over.
 */
final class SideBySideSection {
    static final String BEGIN = "<!-- LevelParty beside level-party: written by bench/run.sh party, replaced by its next run -->";
    static final String END = "<!-- end of LevelParty beside level-party -->";
    /** LevelParty's own loads: the mixed load and the read-heavy one, each with the default cache and without. */
    static final List<Harness.LoadSpec> LOADS = List.of(new Harness.LoadSpec(4, 16, 50, CACHED, false),
            new Harness.LoadSpec(4, 16, 50, UNCACHED, false), new Harness.LoadSpec(4, 16, 10, UNCACHED, true),
            new Harness.LoadSpec(4, 16, 10, CACHED, true));
    private static final String LP = "level-party";
    private static final String OURS = "LevelParty";
    private static final double MS = 1e6;

    private final SideBySide.Figures figures;
    private final List<String> rows = new ArrayList<>();
    private final List<String> missed = new ArrayList<>();

    SideBySideSection(SideBySide.Figures figures) {
        this.figures = figures;
    }

    static String loadKey(Harness.LoadSpec spec) {
        return "load-" + spec.putPercent() + (spec.skewed() ? "-skewed" : "") + "/" + spec.kind();
    }

    /** Replaces the section in {@code file}, or appends it if the file has none. */
    static void write(Path file, String section) throws IOException {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin >= 0 && end > begin) {
            text = text.substring(0, begin) + section + text.substring(end + END.length());
        } else {
            text = text.stripTrailing() + "\n\n" + section + "\n";
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Returns {@code regenerated} followed by the section {@code previous} holds, if any. */
    static String carryOver(String previous, String regenerated) {
        int begin = previous.indexOf(BEGIN);
        int end = previous.indexOf(END);
        if (begin < 0 || end < begin) {
            return regenerated;
        }
        return regenerated.stripTrailing() + "\n\n" + previous.substring(begin, end + END.length()) + "\n";
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** Returns the median (nearest rank) of {@code values}, or NaN if there are none. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get((int) Math.ceil(sorted.size() / 2.0) - 1);
    }

    private double median(String key) {
        return median(figures.get(key));
    }

    private double handoverMedian(String key) {
        return median(figures.handovers.getOrDefault(key, List.of()).stream().map(h -> (double) h.nanos()).toList());
    }

    private static String time(double nanos) {
        return Double.isNaN(nanos) ? "not run" : Markdown.micros(nanos);
    }

    private static String rate(double perSecond) {
        return Double.isNaN(perSecond) ? "not run" : Markdown.ops(perSecond);
    }

    private static String ratio(double ratio) {
        return Double.isNaN(ratio) ? "—" : f("%.2f×", ratio);
    }

    private void row(String scenario, String theirs, String ours, String ratio, String target, Boolean met) {
        String verdict = met == null ? "not judged: a figure is missing" : met ? "met" : "**missed**";
        rows.add("| " + scenario + " | " + theirs + " | " + ours + " | " + ratio + " | " + target + " | " + verdict
                + " |");
        if (met != null && !met) {
            missed.add(scenario);
        }
    }

    private void info(String scenario, String theirs, String ours, String ratio) {
        rows.add("| " + scenario + " | " + theirs + " | " + ours + " | " + ratio + " | — | — |");
    }

    /** Returns whether {@code test} holds, or null if a figure it needs is missing (NaN). */
    private static Boolean judged(boolean test, double... needed) {
        for (double d : needed) {
            if (Double.isNaN(d)) {
                return null;
            }
        }
        return test;
    }

    private String samples(String key) {
        List<SideBySide.Handover> all = figures.handovers.getOrDefault(key, List.of());
        if (all.isEmpty()) {
            return "not run";
        }
        return all.stream().sorted((a, b) -> Long.compare(a.nanos(), b.nanos()))
                .map(h -> f(h.nanos() < 10 * MS ? "%.1f" : "%.0f", h.nanos() / MS) + " (" + h.winner() + ")")
                .collect(Collectors.joining(", ")) + " ms";
    }

    /** Returns the section, markers included, with {@code diagnosis} (Markdown) below the table. */
    String section(String command, String date, long seconds, String machineLoad, String nodeLine, String diagnosis) {
        failoverRows("failover", "-Xmx64m");
        failoverRows("failover-default-heap", "default heap");
        handoverRows();
        throughputRows();
        coldStartRows();
        churnRows();
        loadRows();
        double durable = median("durable/" + OURS);
        double plain = median("four/" + OURS);
        row("Durable writes: 4 followers, each awaiting every put, with `syncWrites(true)` / the same without "
                + "(aggregate ops/s; LevelParty alone; ratio durable ÷ without)", "—", rate(durable) + " / "
                + rate(plain), ratio(durable / plain), "≥ 0.5×", judged(durable / plain >= 0.5, durable, plain));

        StringBuilder out = new StringBuilder();
        out.append(BEGIN).append("\n## LevelParty beside level-party\n\n");
        out.append("Written by `").append(command).append("` in ").append(seconds).append(" s; every figure below, ")
                .append("level-party's too, comes from that one run.\n\n");
        out.append("- Machine: ").append(Report.machine()).append("\n");
        out.append("- JDK: ").append(Report.jdk()).append("\n");
        out.append("- ").append(nodeLine).append("\n");
        out.append("- Date: ").append(date).append(" UTC\n");
        out.append("- Machine load during the run: ").append(machineLoad).append(" (2 CPUs)\n");
        out.append("- Clocks: ").append(figures.clock).append("; both are CLOCK_MONOTONIC, so times taken in "
                + "different processes compare\n");
        out.append(f("- Method: the scenarios of level-party's own benchmark (keys `\"k\" + i`, %d-byte values), "
                + "%d repetitions per library, the libraries alternating (and which goes first), fresh processes "
                + "and a fresh directory under /tmp for every repetition; Java processes run with -Xmx64m unless "
                + "a row says otherwise, Node with its defaults. Figures are medians of the repetitions. "
                + "Throughput runs warm up with %,d operations and measure %d s, one operation at a time per "
                + "process. LevelParty's followers in the sequential row run with `cacheSize(0)`, so that every "
                + "`get` goes to the leader as level-party's do; elsewhere LevelParty runs with its defaults.%n",
                BenchData.VALUE_BYTES, SideBySide.REPETITIONS, SideBySide.WARMUP_OPS, SideBySide.RUN_SECONDS));
        out.append(f("- Failover and hand-over: three processes, the leader and a follower putting with a %d µs "
                + "pause between puts, and a follower doing nothing. The figure is the time from the leader's "
                + "SIGKILL (or from just before its `close()`) to the acknowledgement of the writing follower's "
                + "first put issued after the leader stopped; in brackets after each sample, which survivor led "
                + "after it: the writer or the idle one (whichever won the election).%n%n",
                SideBySide.PAUSE_MICROS));
        out.append("The ratio is how many times better LevelParty does: level-party's time ÷ LevelParty's, or "
                + "LevelParty's rate ÷ level-party's; rows of LevelParty alone name their own ratio.\n\n");
        Markdown.table(out, "| Scenario | level-party | LevelParty | Ratio | Target | Verdict |", rows, missed);
        if (!figures.failures.isEmpty()) {
            out.append("\nRepetitions that failed, and are missing from the medians above: ")
                    .append(String.join("; ", figures.failures)).append(".\n");
        }
        out.append('\n').append(diagnosis.strip()).append('\n');
        out.append(END);
        return out.toString();
    }

    private void failoverRows(String key, String heap) {
        double theirs = handoverMedian("failover/" + LP);
        double ours = handoverMedian(key + "/" + OURS);
        FailoverFloor.Floor floor = figures.floors.getOrDefault(key,
                new FailoverFloor.Floor(new long[0], new long[0], new long[0], new long[0]));
        long[] sums = floor.sums();
        double floorMedian = sums.length == 0 ? Double.NaN : Stats.percentile(sums, 50);
        row(f("Failover, LevelParty with %s: SIGKILL of the leader → next acknowledged put (median)", heap),
                time(theirs), time(ours), ratio(theirs / ours),
                f("≥ 1.5× faster; ≤ floor + 5 ms = %s", time(floorMedian + 5 * MS)),
                judged(theirs / ours >= 1.5 && ours <= floorMedian + 5 * MS, theirs, ours, floorMedian));
        info("… every sample, sorted (who led after it)", samples("failover/" + LP), samples(key + "/" + OURS), "");
        info("… the leader's resident memory at the kill (median)",
                residentMedian("resident-failover/" + LP), residentMedian("resident-" + key + "/" + OURS), "");
        long[] end = FailoverFloor.Floor.sorted(floor.endOfStream());
        long[] open = FailoverFloor.Floor.sorted(floor.recovery());
        info(f("… its floor, no library code (`FailoverFloor`, %s, as resident as each killed leader): kill → end "
                + "of stream, + LevelDB open replaying the log left (%s); per kill, summed: median", heap,
                Markdown.kib(Stats.percentile(FailoverFloor.Floor.sorted(floor.logBytes()), 50))), "—",
                time(Stats.percentile(end, 50)) + " + " + time(Stats.percentile(open, 50)) + "; " + time(floorMedian)
                        + " (LevelParty's median is " + time(ours - floorMedian) + " above it)", "");
    }

    private String residentMedian(String key) {
        double median = median(key);
        return Double.isNaN(median) ? "not run" : Markdown.mib((long) median);
    }

    private void handoverRows() {
        double theirs = handoverMedian("handover/" + LP);
        double ours = handoverMedian("handover/" + OURS);
        row("Planned hand-over: the leader's `close()` → next acknowledged put at a follower (median)", time(theirs),
                time(ours), ratio(theirs / ours), "≤ 5 ms", judged(ours <= 5 * MS, ours));
        info("… every sample, sorted (who led after it)", samples("handover/" + LP), samples("handover/" + OURS), "");
    }

    private void throughputRows() {
        for (String op : new String[] {"put", "get"}) {
            double theirs = median(op + "/" + LP);
            double ours = median(op + "/" + OURS);
            row("Follower sequential `" + op + "` (ops/s)", rate(theirs), rate(ours), ratio(ours / theirs), "≥ 5×",
                    judged(ours / theirs >= 5, theirs, ours));
        }
        double theirs = median("four/" + LP);
        double ours = median("four/" + OURS);
        row("4 followers, each awaiting every put (aggregate ops/s)", rate(theirs), rate(ours), ratio(ours / theirs),
                "≥ 3×", judged(ours / theirs >= 3, theirs, ours));
        theirs = median("scan/" + LP);
        ours = median("scan/" + OURS);
        info(f("Follower range scan of %,d entries (entries/s)", BenchData.SCAN), rate(theirs), rate(ours),
                ratio(ours / theirs));
    }

    private void coldStartRows() {
        double ours = median("cold-inside/" + OURS);
        row("Cold start: `LevelParty.open` as a follower in a fresh JVM, inside it (level-party: its script's start "
                + "→ one put acknowledged)", time(median("cold-inside/" + LP)), time(ours), "—", "≤ 150 ms",
                judged(ours <= 150 * MS, ours));
        double theirs = median("cold-whole/" + LP);
        ours = median("cold-whole/" + OURS);
        row("Cold start, the whole process: start → open as a follower → one put acknowledged → exit", time(theirs),
                time(ours), ratio(theirs / ours), "≤ 2× level-party's", judged(ours <= 2 * theirs, theirs, ours));
    }

    private void churnRows() {
        String[] calls = {"`lastKey()`", "`floorKey`", "first of `descendingMap()`", "`pollFirstEntry()`"};
        double cycles = figures.get("churn-cycles/churned").stream().mapToDouble(Double::doubleValue).min()
                .orElse(Double.NaN);
        boolean complete = cycles >= SideBySide.CHURN_CYCLES;
        double nanos = median("churn-nanos/churned");
        info(f("Churn (LevelParty alone): a leader puts five keys and clears the map, %,d times or for %d s; "
                + "cycles done (the fewest of the repetitions), and time per cycle, first to last (median)",
                SideBySide.CHURN_CYCLES, SideBySide.CHURN_SECONDS), "—",
                f("%,.0f cycles; %s per cycle", cycles, time(nanos / median("churn-cycles/churned"))), "");
        for (int i = 0; i < calls.length; i++) {
            double churned = median("churn-" + i + "/churned");
            double fresh = median("churn-" + i + "/fresh");
            row("… then " + calls[i] + " on the five keys: time per call, churned / fresh map (ratio churned ÷ fresh)",
                    "—", time(churned) + " / " + time(fresh), ratio(churned / fresh),
                    f("≤ 2×, after %,d cycles", SideBySide.CHURN_CYCLES),
                    judged(complete && churned / fresh <= 2, churned, fresh));
        }
    }

    private void loadRows() {
        for (boolean skewed : new boolean[] {false, true}) {
            Harness.LoadSpec cached = LOADS.stream().filter(s -> s.skewed() == skewed && s.kind() == CACHED)
                    .findFirst().orElseThrow();
            Harness.LoadSpec uncached = LOADS.stream().filter(s -> s.skewed() == skewed && s.kind() == UNCACHED)
                    .findFirst().orElseThrow();
            double withCache = median(loadKey(cached));
            double without = median(loadKey(uncached));
            double target = skewed ? 3 : 1;
            row(f("%d processes × %d threads, %d %% puts%s, default options / `cacheSize(0)` (ops/s; LevelParty "
                    + "alone; ratio default ÷ uncached)", cached.processes(), cached.threads(), cached.putPercent(),
                    skewed ? ", keys skewed (Zipf, exponent 1)" : ", keys uniform"), "—",
                    rate(withCache) + " / " + rate(without), ratio(withCache / without), f("≥ %.0f×", target),
                    judged(withCache / without >= target, withCache, without));
        }
    }
}
