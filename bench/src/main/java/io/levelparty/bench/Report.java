package io.levelparty.bench;

import static io.levelparty.bench.Harness.LoadKind.CACHED;
import static io.levelparty.bench.Harness.LoadKind.RAW_LEVELDB;
import static io.levelparty.bench.Harness.LoadKind.UNCACHED;

import java.io.IOException;
import java.lang.management.ManagementFactory;
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
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark of a profile, each next to its baseline in the same run, and writes
 * {@code BENCHMARKS.md}.
 *
 * <pre>
 * Report quick|long REPO_ROOT COMMAND
 * </pre>
 * The diagnosis of the targets, {@code bench/diagnosis.md}, is copied below the figures.
 */
public final class Report {
    private static final String DIAGNOSIS = "bench/diagnosis.md";
    /** Where the failover runs keep their data: the disk, and a memory file system without fsync costs. */
    static final Path DISK = Path.of("/tmp");
    static final Path MEMORY = Path.of("/dev/shm");
    /** The heap of the processes of the failover run. */
    static final String FAILOVER_HEAP = "64m";
    /** How long the failover run's writers pause between writes, leaving the CPUs room for the failover itself. */
    static final long FAILOVER_PAUSE_MICROS = 1_000;
    /** How many writes the RELAXED staleness run times. */
    static final int STALENESS_SAMPLES = 2_000;

    /**
     * How long and how often each part runs. JMH: forks, warm-up and measurement iterations of
     * {@code iterationSeconds} each; load runs: {@code loads},
     * each warmed up at least {@code loadWarmup} and at most {@code loadWarmupMax} seconds (see
     * {@link Harness#load}) and measured {@code loadSeconds}; {@code kills}
     * failovers, and if {@code failoverVariants} the same with writers that never pause and with the
     * data in memory; {@code scanFollowers} followers scanning {@code scanEntries} entries at once.
     */
    record Profile(String name, int forks, int warmups, int measurements, int iterationSeconds, int loadWarmup,
            int loadWarmupMax, int loadSeconds, List<Harness.LoadSpec> loads, int kills, boolean failoverVariants,
            int scanEntries, int scanFollowers) {}

    private static final Profile QUICK = new Profile("quick", 1, 1, 3, 1, 2, 20, 5,
            List.of(load(1, 1, 50, CACHED), load(4, 16, 50, CACHED), load(4, 16, 50, UNCACHED),
                    load(1, 64, 50, RAW_LEVELDB)),
            5, false, 1_000_000, 16);
    private static final Profile LONG = new Profile("long", 2, 3, 5, 2, 5, 60, 15,
            List.of(load(1, 1, 50, CACHED), load(4, 16, 50, CACHED), load(4, 16, 50, UNCACHED),
                    load(1, 64, 50, RAW_LEVELDB), load(4, 1, 50, CACHED), load(4, 64, 50, CACHED),
                    load(4, 16, 100, CACHED)),
            30, true, 1_000_000, 16);

    private Report() {}

    private static Harness.LoadSpec load(int processes, int threads, int putPercent, Harness.LoadKind kind) {
        return new Harness.LoadSpec(processes, threads, putPercent, kind);
    }

    public static void main(String[] args) throws Exception {
        Profile profile = switch (args[0]) {
            case "quick" -> QUICK;
            case "long" -> LONG;
            default -> throw new IllegalArgumentException("profile must be quick or long, was " + args[0]);
        };
        Path root = Path.of(args[1]);
        String command = args[2];
        long started = System.nanoTime();
        String loadBefore = loadAverage();
        String date = date();

        Map<String, RunResult> jmh = runJmh(profile);
        List<Harness.Load> loads = new ArrayList<>();
        for (Harness.LoadSpec load : profile.loads()) {
            log("load: " + load);
            loads.add(Harness.load(load, profile.loadWarmup(), profile.loadWarmupMax(), profile.loadSeconds()));
        }
        log("failover: " + profile.kills() + " kills on " + DISK);
        Harness.Failover failover = Harness.failover(profile.kills(), FAILOVER_HEAP, DISK, FAILOVER_PAUSE_MICROS);
        log("failover floor: " + profile.kills() + " kills without LevelParty on " + DISK);
        FailoverFloor.Floor floor = FailoverFloor.measure(failover.residentBytes(), failover.logBytes(),
                List.of("-Xmx" + FAILOVER_HEAP),
                DISK, FAILOVER_PAUSE_MICROS);
        Harness.Failover failoverSaturated = null;
        Harness.Failover failoverInMemory = null;
        if (profile.failoverVariants()) {
            log("failover: " + profile.kills() + " kills on " + DISK + ", writers without pause");
            failoverSaturated = Harness.failover(profile.kills(), FAILOVER_HEAP, DISK, 0);
            log("failover: " + profile.kills() + " kills on " + MEMORY);
            failoverInMemory = Harness.failover(profile.kills(), FAILOVER_HEAP, MEMORY, FAILOVER_PAUSE_MICROS);
        }
        log("staleness: " + STALENESS_SAMPLES + " writes read by a RELAXED follower");
        Harness.Staleness staleness = Harness.relaxedStaleness(STALENESS_SAMPLES);
        log("memory: " + profile.scanEntries() + " entries, 1 then " + profile.scanFollowers() + " followers");
        List<Harness.Memory> memory = Harness.memory(profile.scanEntries(), profile.scanFollowers(), "64m", "256m");
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;

        String load = "load average (1, 5, 15 min) " + loadBefore + " at the start, " + loadAverage() + " at the end";
        Markdown md = new Markdown(jmh);
        String text = md.document(profile, command, date, seconds, load, loads, failover, floor, failoverSaturated,
                failoverInMemory,
                staleness, memory,
                Files.readString(root.resolve(DIAGNOSIS), StandardCharsets.UTF_8));
        Path report = root.resolve("BENCHMARKS.md");
        String previous = Files.exists(report) ? Files.readString(report, StandardCharsets.UTF_8) : "";
        // The side-by-side and etcd sections are written by their own runs (bench/run.sh party,
        // bench/run.sh etcd): carried over as they are.
        Files.writeString(report, SideBySideSection.carryOver(previous, text) + EtcdReport.existingSection(report),
                StandardCharsets.UTF_8);
        log("wrote " + report + " in " + seconds + " s");
    }

    private static Map<String, RunResult> runJmh(Profile profile) throws Exception {
        Options options = new OptionsBuilder()
                .include("io\\.levelparty\\.bench\\.(LeaderBench|FollowerBench|CacheBaselineBench)\\.")
                .forks(profile.forks())
                .warmupIterations(profile.warmups())
                .warmupTime(TimeValue.seconds(profile.iterationSeconds()))
                .measurementIterations(profile.measurements())
                .measurementTime(TimeValue.seconds(profile.iterationSeconds()))
                .shouldFailOnError(true)
                .build();
        Map<String, RunResult> byName = new HashMap<>();
        for (RunResult result : new Runner(options).run()) {
            String benchmark = result.getParams().getBenchmark();
            String name = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            // LeaderBench runs on both LevelDB engines: the native one's results keep the plain names.
            String engine = result.getParams().getParam("engine");
            byName.put(engine == null || engine.equals("NATIVE") ? name : name + "@" + engine, result);
        }
        return byName;
    }

    /** Returns the date and time, in minutes, UTC. */
    static String date() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16);
    }

    static void log(String line) {
        System.out.println("# [" + ManagementFactory.getRuntimeMXBean().getUptime() / 1000 + " s] " + line);
        System.out.flush();
    }

    /** Describes this machine in one line. */
    static String machine() {
        String cpu = "unknown CPU";
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            cpu = "unknown CPU (" + e + ")";
        }
        return String.format(Locale.ROOT, "%s, %d CPUs, %.0f GiB, %s %s", cpu,
                Runtime.getRuntime().availableProcessors(), memKb / 1048576.0, System.getProperty("os.name"),
                System.getProperty("os.version"));
    }

    /** Returns the system's load averages, which show how busy the machine was with other work too. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }

    static String jdk() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vendor") + "), " + ManagementFactory.getRuntimeMXBean().getVmVersion();
    }
}
