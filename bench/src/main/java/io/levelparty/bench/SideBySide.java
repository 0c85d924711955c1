package io.levelparty.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * LevelParty beside Node's level-party 5.1.1: every scenario of the performance issue, run for
 * both libraries in one run, repetitions alternating between them (which library goes first
 * alternates too), each repetition with fresh processes and a fresh directory; then the scenarios
 * only LevelParty has. {@link SideBySideSection} writes the figures into {@code BENCHMARKS.md}.
 *
 * <pre>
 * SideBySide REPO_ROOT COMMAND NODE_VERSION|- [WHY_NOT]
 * </pre>
 * With {@code -} for Node's version, level-party's side is skipped, for the reason {@code WHY_NOT}.
 * The notes of {@code bench/node/diagnosis.md}, on where the time goes, are copied below the table.
 *
 * <p>Times across processes are {@code System.nanoTime()} here and in the Java children, and
 * {@code process.hrtime.bigint()} in Node's: both read CLOCK_MONOTONIC on Linux. {@link #clockCheck}
 * verifies that on the machine of the run before any figure relies on it.
 */
public final class SideBySide {
    /** Repetitions per library and scenario. */
    static final int REPETITIONS = 4;
    /** Heap of every Java process, as the issue asks; the failover also runs with the default heap. */
    static final List<String> SMALL_HEAP = List.of("-Xmx64m");
    /** How long the failover's and hand-over's writers pause between puts. */
    static final long PAUSE_MICROS = 1_000;
    /** How long the processes of a failover or hand-over run, past their start, before the leader goes. */
    private static final long SETTLE_MILLIS = 1_500;
    /** Unmeasured operations before each measured run, as level-party's own benchmark does. */
    static final int WARMUP_OPS = 5_000;
    /** Seconds each throughput run is measured. */
    static final int RUN_SECONDS = 2;
    /** Unmeasured and measured scans of {@link BenchData#SCAN} entries. */
    private static final int SCAN_WARMUPS = 3;
    private static final int SCAN_RUNS = 5;
    /** Churn: cycles of five puts and a clear, and calls timed per operation. */
    static final int CHURN_CYCLES = 16_000;
    /** How long the churn may take: it slows as it goes when deletions cost reads. */
    static final int CHURN_SECONDS = 30;
    private static final int CHURN_CALLS = 200;
    private static final int CHURN_REPETITIONS = 2;
    /** LevelParty's loads: at most this long warming up (see {@link Harness#load}), then measured this long. */
    private static final int LOAD_WARMUP_MAX_SECONDS = 10;
    private static final int LOAD_SECONDS = 3;
    /** Probes of the two clocks. */
    private static final int CLOCK_PROBES = 20;
    /** Where the time goes, for the targets missed: copied below the table. */
    private static final String DIAGNOSIS = "bench/node/diagnosis.md";
    /**
     * With this property set to a comma-separated list of scenarios (failover, hand-over,
     * sequential, four, durable, cold, churn, load), only those run, and the section is printed
     * instead of written into {@code BENCHMARKS.md}: for measuring one change quickly.
     */
    static final String ONLY = "levelparty.bench.only";
    /** The cold-start program, compiled by {@code bench/run.sh} from {@code bench/coldstart}. */
    private static final String COLD_FOLLOWER = "ColdFollower";

    /** One library's processes: LevelParty's Java children, or level-party's Node script. */
    record Side(String label, Path script) {
        boolean isNode() {
            return script != null;
        }

        ChildJvm start(String name, List<String> jvmArgs, String job, String... args) {
            String[] jobAndArgs = new String[args.length + 1];
            jobAndArgs[0] = job;
            System.arraycopy(args, 0, jobAndArgs, 1, args.length);
            if (isNode()) {
                return ChildJvm.startNode(name, script, List.of(), jobAndArgs);
            }
            return switch (job) {
                case "write" -> ChildJvm.start(name, LoadChild.class, jvmArgs, jobAndArgs);
                case "cold" -> ChildJvm.start(name, COLD_FOLLOWER, jvmArgs, args);
                default -> ChildJvm.start(name, SideBySideChild.class, jvmArgs, jobAndArgs);
            };
        }
    }

    /** The body of a scenario's repetition: its processes, added to {@code children}, share the directory {@code db}. */
    private interface Repetition {
        void run(String db, List<ChildJvm> children) throws Exception;
    }

    /** One repetition of one scenario for one library. */
    private interface Step {
        void run() throws Exception;
    }

    /** A failover or hand-over: nanoseconds to the next acknowledged put, and which survivor led after it. */
    record Handover(long nanos, String winner) {}

    /** Every figure of the run, by scenario and library. */
    static final class Figures {
        final Map<String, List<Double>> values = new LinkedHashMap<>();
        final Map<String, List<Handover>> handovers = new LinkedHashMap<>();
        /** Per Java failover heap: the killed leaders' resident memory and log, and the floor of the same kills. */
        final Map<String, FailoverFloor.Floor> floors = new LinkedHashMap<>();
        String clock = "not checked: level-party's side did not run";
        /** The repetitions that failed, each with its error. */
        final List<String> failures = new ArrayList<>();

        void add(String key, double value) {
            values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }

        List<Double> get(String key) {
            return values.getOrDefault(key, List.of());
        }
    }

    private final Side java = new Side("LevelParty", null);
    private final Side node;
    private final List<Side> sides;
    private final Figures figures = new Figures();

    private SideBySide(Side node) {
        this.node = node;
        this.sides = node == null ? List.of(java) : List.of(node, java);
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String command = args[1];
        boolean withNode = !args[2].equals("-");
        long started = System.nanoTime();
        String loadBefore = Report.loadAverage();
        String date = Report.date();
        SideBySide run = new SideBySide(withNode ? new Side("level-party", root.resolve("bench/node/party.js")) : null);
        run.runAll();
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        String nodeLine = withNode ? "Node " + args[2] + ", level-party 5.1.1 (`bench/node/package-lock.json`)"
                : "level-party's side skipped: " + (args.length > 3 ? args[3] : "no reason given");
        String section = new SideBySideSection(run.figures).section(command, date, seconds,
                "load average (1, 5, 15 min) " + loadBefore + " at the start, " + Report.loadAverage() + " at the end",
                nodeLine, Files.readString(root.resolve(DIAGNOSIS), StandardCharsets.UTF_8));
        if (System.getProperty(ONLY) != null) {
            System.out.println(section);
            return;
        }
        SideBySideSection.write(root.resolve("BENCHMARKS.md"), section);
        log("wrote the side-by-side section of " + root.resolve("BENCHMARKS.md") + " in " + seconds + " s");
    }

    private static void log(String line) {
        Report.log(line);
    }

    /** Whether {@code scenario} runs: all do, unless {@value #ONLY} names some. */
    private static boolean runs(String scenario) {
        String only = System.getProperty(ONLY);
        return only == null || Arrays.asList(only.split(",")).contains(scenario);
    }

    private void runAll() throws Exception {
        if (node != null) {
            figures.clock = clockCheck();
            log("clocks: " + figures.clock);
        }
        List<Long> residentSmall = new ArrayList<>();
        List<Long> logSmall = new ArrayList<>();
        List<Long> residentDefault = new ArrayList<>();
        List<Long> logDefault = new ArrayList<>();
        for (int rep = 0; rep < REPETITIONS && runs("failover"); rep++) {
            for (Side side : order(rep)) {
                log("failover " + (rep + 1) + "/" + REPETITIONS + ": " + side.label());
                if (side.isNode()) {
                    attempt("failover: " + side.label(), () -> failover(side, List.of(), "failover", null, null));
                } else {
                    attempt("failover, -Xmx64m: " + side.label(),
                            () -> failover(side, SMALL_HEAP, "failover", residentSmall, logSmall));
                    attempt("failover, default heap: " + side.label(),
                            () -> failover(side, List.of(), "failover-default-heap", residentDefault, logDefault));
                }
            }
        }
        if (!residentSmall.isEmpty()) {
            log("failover floor: " + residentSmall.size() + " kills without LevelParty, -Xmx64m, then default heap");
            attempt("failover floor, -Xmx64m", () -> figures.floors.put("failover", FailoverFloor.measure(
                    longs(residentSmall), longs(logSmall), SMALL_HEAP, Report.DISK, PAUSE_MICROS)));
            attempt("failover floor, default heap", () -> figures.floors.put("failover-default-heap",
                    FailoverFloor.measure(longs(residentDefault), longs(logDefault), List.of(), Report.DISK,
                            PAUSE_MICROS)));
        }
        for (int rep = 0; rep < REPETITIONS && runs("hand-over"); rep++) {
            for (Side side : order(rep)) {
                log("hand-over " + (rep + 1) + "/" + REPETITIONS + ": " + side.label());
                attempt("hand-over: " + side.label(), () -> handover(side));
            }
        }
        for (int rep = 0; rep < REPETITIONS; rep++) {
            for (Side side : order(rep)) {
                if (runs("sequential")) {
                    log("sequential and scan " + (rep + 1) + "/" + REPETITIONS + ": " + side.label());
                    attempt("sequential and scan: " + side.label(), () -> sequential(side));
                }
                if (runs("four")) {
                    log("four followers " + (rep + 1) + "/" + REPETITIONS + ": " + side.label());
                    attempt("four followers: " + side.label(), () -> fourFollowers(side, "four", "default"));
                }
                if (!side.isNode() && runs("durable")) {
                    log("four followers, durable writes " + (rep + 1) + "/" + REPETITIONS + ": " + side.label());
                    attempt("four followers, durable writes", () -> fourFollowers(side, "durable", "sync"));
                }
                if (runs("cold")) {
                    log("cold start " + (rep + 1) + "/" + REPETITIONS + ": " + side.label());
                    attempt("cold start: " + side.label(), () -> coldStart(side));
                }
            }
        }
        for (int rep = 0; rep < CHURN_REPETITIONS && runs("churn"); rep++) {
            log("churn " + (rep + 1) + "/" + CHURN_REPETITIONS);
            int first = rep % 2 == 0 ? 0 : CHURN_CYCLES;
            attempt("churn", () -> churn(first));
            attempt("churn", () -> churn(CHURN_CYCLES - first));
        }
        for (Harness.LoadSpec spec : runs("load") ? SideBySideSection.LOADS : List.<Harness.LoadSpec>of()) {
            log("load: " + spec);
            attempt("load " + spec, () -> figures.add(SideBySideSection.loadKey(spec),
                    Harness.load(spec, 2, LOAD_WARMUP_MAX_SECONDS, LOAD_SECONDS).opsPerSecond()));
        }
    }

    /**
     * Runs one repetition; if it fails, the run goes on without its figures, and the section names
     * the failure: on a machine this busy a process may miss a deadline, and the other figures
     * still stand.
     */
    private void attempt(String what, Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            log("FAILED: " + what + ": " + e);
            figures.failures.add(what + ": " + e.getMessage());
        }
    }

    /** Both libraries, the one that went second in the last repetition going first. */
    private List<Side> order(int rep) {
        return rep % 2 == 0 || sides.size() == 1 ? sides : List.of(sides.get(1), sides.get(0));
    }

    private static long[] longs(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Asks a Node process for its clock {@value #CLOCK_PROBES} times, each between two reads of
     * this JVM's: the times compare only if every answer falls between its two reads.
     */
    private String clockCheck() {
        try (ChildJvm clock = node.start("clock", List.of(), "clock")) {
            clock.expect("READY");
            int inside = 0;
            long[] windows = new long[CLOCK_PROBES];
            for (int i = 0; i < CLOCK_PROBES; i++) {
                long before = System.nanoTime();
                long theirs = Long.parseLong(clock.ask("now", "NOW"));
                long after = System.nanoTime();
                inside += before <= theirs && theirs <= after ? 1 : 0;
                windows[i] = after - before;
            }
            Arrays.sort(windows);
            String result = String.format(Locale.ROOT,
                    "Node's process.hrtime.bigint() fell between two reads of Java's System.nanoTime() in %d of %d "
                            + "probes (median window %s)", inside, CLOCK_PROBES,
                    Markdown.micros(Stats.percentile(windows, 50)));
            if (inside != CLOCK_PROBES) {
                throw new IllegalStateException("The clocks of Java and Node disagree on this machine: " + result);
            }
            return result;
        }
    }

    private ChildJvm expectRole(ChildJvm child, String role) {
        String actual = child.expect("READY");
        if (!actual.equals(role)) {
            throw new IllegalStateException(child + " is " + actual + ", expected " + role);
        }
        return child;
    }

    /**
     * A leader and a follower that write, and a follower that does not; the leader is SIGKILLed,
     * and the writing follower times the kill to the acknowledgement of its first put issued
     * after the leader stopped (see {@link Harness#failover}); whichever survivor wins is noted.
     */
    private void failover(Side side, List<String> jvmArgs, String key, List<Long> resident, List<Long> log)
            throws Exception {
        fresh("sbs-failover", (db, children) -> {
            ChildJvm leader = started(children, side.start("leader", jvmArgs, "write", db, "" + PAUSE_MICROS), "LEADER");
            ChildJvm writer = started(children, side.start("writer", jvmArgs, "write", db, "" + PAUSE_MICROS),
                    "FOLLOWER");
            started(children, side.start("idle", jvmArgs, "hold", db), "FOLLOWER");
            TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS); // lets the processes run past their start; nothing to wait for
            long rss = leader.residentBytes();
            long logBytes = side.isNode() ? 0 : FailoverFloor.logBytes(Path.of(db));
            figures.add("resident-" + key + "/" + side.label(), rss);
            long killedAt = System.nanoTime();
            leader.kill();
            leader.awaitStop();
            long stoppedAt = System.nanoTime();
            addHandover(key + "/" + side.label(), writer, Harness.awaitGap(writer, killedAt, stoppedAt));
            if (resident != null) { // only now: the floor needs a kill's resident memory and log together
                resident.add(rss);
                log.add(logBytes);
            }
        });
    }

    /** The same three processes; the leader closes its map, and the writer times that to its next acknowledged put. */
    private void handover(Side side) throws Exception {
        fresh("sbs-handover", (db, children) -> {
            ChildJvm leader = started(children, side.start("leader", SMALL_HEAP, "write", db, "" + PAUSE_MICROS),
                    "LEADER");
            ChildJvm writer = started(children, side.start("writer", SMALL_HEAP, "write", db, "" + PAUSE_MICROS),
                    "FOLLOWER");
            started(children, side.start("idle", SMALL_HEAP, "hold", db), "FOLLOWER");
            TimeUnit.MILLISECONDS.sleep(SETTLE_MILLIS); // lets the processes run past their start; nothing to wait for
            long closing = Long.parseLong(leader.ask("close", "CLOSED"));
            addHandover("handover/" + side.label(), writer, Harness.awaitGap(writer, closing, closing));
        });
    }

    /** Runs {@code repetition} in a fresh directory, then ends its processes and deletes the directory. */
    private static void fresh(String prefix, Repetition repetition) throws Exception {
        Path dir = BenchData.tempDir(prefix);
        List<ChildJvm> children = new ArrayList<>();
        try {
            repetition.run(dir.resolve("db").toString(), children);
        } finally {
            children.forEach(ChildJvm::close);
            BenchData.delete(dir);
        }
    }

    private void addHandover(String key, ChildJvm writer, long gap) {
        if (gap < 0) {
            throw new IllegalStateException(writer + " wrote nothing within 10 s of losing its leader (" + key + ")");
        }
        String winner = writer.ask("role", "ROLE").equals("LEADER") ? "writer" : "idle";
        figures.handovers.computeIfAbsent(key, k -> new ArrayList<>()).add(new Handover(gap, winner));
    }

    private ChildJvm started(List<ChildJvm> children, ChildJvm child, String role) {
        children.add(child);
        return expectRole(child, role);
    }

    /** One follower: sequential puts, then gets, then scans of {@link BenchData#SCAN} entries the leader wrote. */
    private void sequential(Side side) throws Exception {
        fresh("sbs-sequential", (db, children) -> {
            started(children, side.start("leader", SMALL_HEAP, "serve", db, "" + BenchData.SCAN), "LEADER");
            ChildJvm follower = started(children, side.start("follower", SMALL_HEAP, "ops", db, "uncached"),
                    "FOLLOWER");
            for (String op : new String[] {"put", "get"}) {
                follower.ask("warm " + op + " " + WARMUP_OPS, "WARM");
                figures.add(op + "/" + side.label(), rate(follower.ask("run " + op + " " + RUN_SECONDS, "DONE")));
            }
            String[] scanned = follower.ask("scan " + BenchData.SCAN + " " + SCAN_WARMUPS + " " + SCAN_RUNS,
                    "SCANNED").split(" ");
            if (Integer.parseInt(scanned[0]) != BenchData.SCAN) {
                throw new IllegalStateException(side.label() + " scanned " + scanned[0] + " entries");
            }
            figures.add("scan/" + side.label(), BenchData.SCAN * 1e9 / Long.parseLong(scanned[1]));
            children.forEach(ChildJvm::stop);
        });
    }

    /** Returns the operations per second of a reply "ops nanos". */
    private static double rate(String done) {
        String[] words = done.split(" ");
        return Long.parseLong(words[0]) * 1e9 / Long.parseLong(words[1]);
    }

    /**
     * Four followers, each putting one put at a time, all at once: their summed rates, under
     * {@code key}; the followers' {@code ops} job gets {@code option} (see {@link SideBySideChild}).
     */
    private void fourFollowers(Side side, String key, String option) throws Exception {
        fresh("sbs-four", (db, children) -> {
            started(children, side.start("leader", SMALL_HEAP, "serve", db, "0"), "LEADER");
            List<ChildJvm> followers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                followers.add(started(children, side.start("follower-" + i, SMALL_HEAP, "ops", db, option),
                        "FOLLOWER"));
            }
            followers.forEach(f -> f.send("warm put " + WARMUP_OPS));
            followers.forEach(f -> f.expect("WARM"));
            followers.forEach(f -> f.send("run put " + RUN_SECONDS));
            figures.add(key + "/" + side.label(), followers.stream().mapToDouble(f -> rate(f.expect("DONE"))).sum());
            children.forEach(ChildJvm::stop);
        });
    }

    /**
     * A fresh process joins a running leader's party as a follower, puts one entry and exits: the
     * whole process timed from here, and the time its program reports (Java: the open; Node: from
     * the start of its script to the put's acknowledgement).
     */
    private void coldStart(Side side) throws Exception {
        fresh("sbs-cold", (db, children) -> {
            started(children, side.start("leader", SMALL_HEAP, "serve", db, "0"), "LEADER");
            long start = System.nanoTime();
            ChildJvm cold = side.start("cold", SMALL_HEAP, "cold", db);
            children.add(cold);
            double inside = Double.parseDouble(cold.expect("")) * 1e6;
            cold.awaitExit();
            figures.add("cold-whole/" + side.label(), System.nanoTime() - start);
            figures.add("cold-inside/" + side.label(), inside);
            children.forEach(ChildJvm::stop);
        });
    }

    /** One process leads a fresh directory, churns it {@code cycles} times and times the calls. */
    private void churn(int cycles) throws IOException {
        Path dir = BenchData.tempDir("sbs-churn");
        try (ChildJvm child = java.start("churn", SMALL_HEAP, "churn", dir.resolve("db").toString(), "" + cycles,
                "" + CHURN_SECONDS, "" + CHURN_CALLS)) {
            String[] words = child.expect("CHURN").split(" ");
            String state = cycles == 0 ? "fresh" : "churned";
            figures.add("churn-cycles/" + state, Long.parseLong(words[0]));
            figures.add("churn-nanos/" + state, Long.parseLong(words[1]));
            for (int i = 2; i < words.length; i++) {
                figures.add("churn-" + (i - 2) + "/" + state, Long.parseLong(words[i]));
            }
        } finally {
            BenchData.delete(dir);
        }
    }
}
