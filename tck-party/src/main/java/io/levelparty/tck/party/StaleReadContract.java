package io.levelparty.tck.party;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.PartyOptions;
import io.levelparty.tck.party.StaleReadLedger.Kind;
import io.levelparty.tck.party.StaleReadLedger.WorkerLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stale-read tests: processes with follower caches read a few hot keys while others overwrite
 * them with values unique to each write, leaders are killed or stopped and followers stopped on
 * the way, and afterwards no read may have returned a value overwritten before it began, or a
 * value never written, and each key's history must be linearizable.
 *
 * <h2>The paced run</h2>
 * {@value #WRITERS} writer and {@value #READERS} reader processes ({@link StaleReadWorker}) open one
 * directory with the options of {@link #options()} (by default {@link Consistency#STRICT} with a
 * cache of 10,000 entries). Each writer puts values {@code <worker>-<thread>-<n>} under
 * {@value #HOT_KEYS} hot keys chosen at random, {@value #WRITES_PER_SECOND} a second; each reader
 * gets them, on {@value #READ_THREADS} threads, {@value #READS_PER_SECOND} a second each. So each
 * reader reads each key about {@value #READS_PER_WRITE} times between two writes of it, and a
 * follower that caches reads answers most of them from its cache. Writers do not read; readers
 * also write, {@value #READER_WRITES_PER_SECOND} a second, because a process's cache treats its
 * own writes differently from other processes' (it drops their keys itself as it sends them,
 * and the leader does not wait for it). The load stops after {@link #operations()} calls
 * in all; on the way:
 * <ol>
 *   <li>the first writer, which leads, is killed with SIGKILL once a third of the calls are made
 *       (the harness knows the leader from the workers' announcements); once another process
 *       announces that it leads, a new writer starts in its place;</li>
 *   <li>once two thirds are made, a reader that follows is stopped with SIGSTOP for
 *       {@code STOP_TIME} (1.5 s, longer than any lease a leader may grant it, and until the
 *       writers have had {@value #WRITES_WHILE_STOPPED} writes acknowledged meanwhile), then
 *       continued with SIGCONT: it wakes with a cache full of keys overwritten while it slept.</li>
 * </ol>
 * Finally every worker is told to stop: it lets its calls finish, reports its cache counts
 * ({@link io.levelparty.PartyMap#stats()}), closes its map and exits.
 *
 * <h2>The unpaced scenarios</h2>
 * The paced run is gentle: its leader writes, and its readers write too, which keeps their caches
 * fresh. The scenarios below are not. In each, an <b>idle</b> process opens the directory first
 * and leads, making no call of its own; {@value #UNPACED_WRITERS} writers put unique values under
 * {@value #UNPACED_HOT_KEYS} hot keys as fast as they can; {@value #UNPACED_READERS} readers get
 * them as fast as they can and never write, so nothing but the leader's word keeps their caches
 * right. The load runs for {@link #runTime()}; at fractions of it, moved a little by the seed,
 * <ul>
 *   <li>{@code idle-leader-killed}: the idle leader is killed with SIGKILL at a third (not
 *       replaced), and a reader that follows is stopped with SIGSTOP for {@code STOP_TIME}
 *       (1.5 s) at two thirds, while the writers have writes acknowledged;</li>
 *   <li>{@code leader-stopped}: the leader is stopped for {@code STOP_TIME}, longer than any
 *       lease it may grant, at a third and again at two thirds, and continued;</li>
 *   <li>{@code followers-stopped}: a reader and a writer that follow are stopped together for
 *       {@code STOP_TIME} at a third, then another reader at two thirds;</li>
 *   <li>{@code leader-killed-repeatedly}: whichever process leads is killed at a quarter, a half
 *       and three quarters, each time once another process leads, and a worker of its kind
 *       starts in its place.</li>
 * </ul>
 * Each scenario runs once for each seed of {@link #seeds()}; the seed chooses the keys each
 * thread calls, the processes stopped, the read threads of each reader (one or two; one in the
 * first scenario) and the moments of the events. By default a short run with one seed, for a
 * build; {@value #LONG_PROPERTY}{@code =true} makes them long, and {@value #SECONDS_PROPERTY} and
 * {@value #SEEDS_PROPERTY} set the run time and the seeds.
 *
 * <h2>The verdict</h2>
 * Each load thread logs every call, with its key, its value and the {@link System#nanoTime()} at
 * which it started and ended, to a file of its own ({@link OperationLog}); a write is logged before
 * it is sent, so a SIGKILL can lose only writes that never took effect, reads, and outcomes (a
 * write whose outcome is lost counts as not acknowledged: it may or may not have taken effect).
 * The harness reads the logs and checks every read that returned ({@link StaleReadChecker}): it
 * fails the run on a read that returned a value certainly overwritten before the read began (a
 * <b>stale read</b>), or a value that no write had put by the time the read ended
 * (<b>never written</b>); and it checks that the history of each key is linearizable
 * ({@link LinearizabilityChecker}): among others, that no read returns an older value than a read
 * that ended before it began, in any process. It prints one summary line
 * ({@link StaleReadSummary}): the scenario, operations, reads checked, the cache hit ratio (the
 * workers' cache hits over their hits and misses), stale reads, values never written,
 * linearizability violations, kills and stops, and more. It also asserts that most calls were
 * checked reads, and that the hit ratio exceeds {@link #expectedMinimumHitRatio()} (in the
 * unpaced scenarios, the lower of it and {@value #UNPACED_MINIMUM_HIT_RATIO}), so that a cache
 * that is never used cannot pass for one that is never stale.
 *
 * <p><b>Clocks.</b> Start and end times from different processes are compared with each other. That
 * assumes that {@link System#nanoTime()} reads one clock in every process of the machine: on Linux
 * it reads {@code CLOCK_MONOTONIC}, which all processes share. Every error of measurement widens a
 * call's interval (a start is taken before the call is sent, and before its log line; an end after
 * it returns), and a wider interval can only make a read look less stale, and a history more
 * linearizable.
 *
 * <p>Every worker opens the directory's {@code file:} URI. The contract is about LevelParty's own
 * party on a LevelDB directory, and runs on nothing else: its faults are a leader process killed
 * or stopped and a follower stopped while it caches, and it requires the followers' caches to
 * answer most reads; a store without a leader among its processes, and without follower caches,
 * has none of these.
 *
 * <p>Subclass it in a test source set whose class path holds the implementation; workers get the
 * same class path and the JVM flags in {@value ChildProcess#JVM_FLAGS_PROPERTY}. The workers'
 * logs, and their standard error in {@code logs/}, stay in the test's temporary directory if the
 * test fails. Signals are sent with the {@code kill} command, so this test needs a POSIX system.
 */
public abstract class StaleReadContract {
    /** The system property that sets how many calls the workers make in all in the paced run. */
    public static final String OPERATIONS_PROPERTY = "levelparty.staleread.operations";
    /** How many calls the workers make in all unless {@value #OPERATIONS_PROPERTY} says otherwise. */
    public static final long DEFAULT_OPERATIONS = 150_000;
    /** The system property that sets the consistency of the default {@link #options()}: STRICT or RELAXED. */
    public static final String CONSISTENCY_PROPERTY = "levelparty.staleread.consistency";
    /** The system property that, {@code true}, makes the unpaced scenarios long and runs them with more seeds. */
    public static final String LONG_PROPERTY = "levelparty.staleread.long";
    /** The system property that sets how long the load of each unpaced scenario runs, in seconds. */
    public static final String SECONDS_PROPERTY = "levelparty.staleread.seconds";
    /** The system property that lists the seeds of the unpaced scenarios, separated by commas. */
    public static final String SEEDS_PROPERTY = "levelparty.staleread.seeds";
    /** How long the load of an unpaced scenario runs by default, in seconds; short, for a build. */
    public static final int SHORT_SECONDS = 20;
    /** How long the load of an unpaced scenario runs with {@value #LONG_PROPERTY}, in seconds. */
    public static final int LONG_SECONDS = 60;
    /** How many seeds, from 1, the unpaced scenarios run with {@value #LONG_PROPERTY}; one otherwise. */
    public static final int LONG_SEEDS = 5;
    /** The cache size of the default {@link #options()}. */
    public static final long CACHE_SIZE = 10_000;
    static final int WRITERS = 2;
    static final int READERS = 3;
    static final int HOT_KEYS = 16;
    static final int WRITES_PER_SECOND = 200;
    static final int READ_THREADS = 2;
    static final int READS_PER_SECOND = 2000;
    static final int READER_WRITES_PER_SECOND = 20;
    /** How often a reader reads one key between two writes of it, on average. */
    static final int READS_PER_WRITE = READ_THREADS * READS_PER_SECOND
            / (WRITERS * WRITES_PER_SECOND + READERS * READER_WRITES_PER_SECOND);
    static final int UNPACED_WRITERS = 2;
    static final int UNPACED_READERS = 3;
    static final int UNPACED_HOT_KEYS = 5;
    /** The most the unpaced scenarios require of the hit ratio: writes as fast as reads make for more misses. */
    static final double UNPACED_MINIMUM_HIT_RATIO = 0.5;
    static final int WRITES_WHILE_STOPPED = 100;
    /** How many writes must be acknowledged after a stopped leader is continued, before the run goes on. */
    static final int WRITES_AFTER_A_LEADER_STOP = 100;
    private static final Duration STOP_TIME = Duration.ofMillis(1500);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** The longest the harness waits for any one step: a JVM to start, a leader to be elected, the workers to stop. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);
    /** The slowest pace of the load the harness waits for, in calls a second, on top of a step. */
    private static final int SLOWEST_CALLS_PER_SECOND = 1000;

    /** The paced run's load: a writer leads, readers write a little too. */
    private static final Load PACED = new Load(false, WRITERS, READERS, HOT_KEYS, READ_THREADS, WRITES_PER_SECOND,
            READS_PER_SECOND, READER_WRITES_PER_SECOND);

    /**
     * The shape of a run's load.
     *
     * @param idleLeader whether an idle process opens the directory first and leads; otherwise a writer does
     * @param writers how many writers start, the first leader included
     * @param readers how many readers start
     * @param hotKeys how many keys the calls go to
     * @param readThreads how many read threads each reader runs
     * @param writesPerSecond how many puts a second each writer makes at most; 0: as many as it can
     * @param readsPerSecond how many gets a second each read thread makes at most; 0: as many as it can
     * @param readerWritesPerSecond how many puts a second each reader makes; 0: none
     */
    private record Load(boolean idleLeader, int writers, int readers, int hotKeys, int readThreads,
            int writesPerSecond, int readsPerSecond, int readerWritesPerSecond) {
        /** The unpaced scenarios' load, with {@code readThreads} read threads a reader. */
        static Load unpaced(int readThreads) {
            return new Load(true, UNPACED_WRITERS, UNPACED_READERS, UNPACED_HOT_KEYS, readThreads, 0, 0, 0);
        }
    }

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;
    private Path db;
    private Path operationLogs;
    private PartyOptions<String> options;
    private Load load;
    private String scenario;
    /** Draws what the seed chooses, in the harness. */
    private Random random;
    private long seed;
    private final StaleReadLedger ledger = new StaleReadLedger();
    private final Map<WorkerLog, WorkerProcess> workers = new HashMap<>();
    private int kills;
    private int stops;
    /** The workers stopped with SIGSTOP, until they are continued. */
    private final Set<WorkerProcess> stopped = ConcurrentHashMap.newKeySet();

    /**
     * Returns the options every worker opens the directory with; only the consistency, the cache
     * size and the request timeout are passed on, with a UTF-8 codec. By default: the consistency
     * that {@value #CONSISTENCY_PROPERTY} names, or {@link Consistency#STRICT}, a cache of
     * {@value #CACHE_SIZE} entries, and a request timeout of 5 seconds.
     */
    protected PartyOptions<String> options() {
        return PartyOptions.of(Codecs.utf8())
                .consistency(Consistency.valueOf(System.getProperty(CONSISTENCY_PROPERTY, Consistency.STRICT.name())))
                .cacheSize(CACHE_SIZE).requestTimeout(REQUEST_TIMEOUT);
    }

    /** Returns how many calls the workers make in all in the paced run: {@value #OPERATIONS_PROPERTY}, or {@value #DEFAULT_OPERATIONS}. */
    protected long operations() {
        return Long.getLong(OPERATIONS_PROPERTY, DEFAULT_OPERATIONS);
    }

    /**
     * Returns how long the load of each unpaced scenario runs: {@value #SECONDS_PROPERTY} seconds,
     * or {@value #LONG_SECONDS} with {@value #LONG_PROPERTY}, or {@value #SHORT_SECONDS}.
     */
    protected Duration runTime() {
        return Duration.ofSeconds(Long.getLong(SECONDS_PROPERTY, isLong() ? LONG_SECONDS : SHORT_SECONDS));
    }

    /**
     * Returns the seeds each unpaced scenario runs with: those {@value #SEEDS_PROPERTY} lists, or
     * 1 to {@value #LONG_SEEDS} with {@value #LONG_PROPERTY}, or 1. A subclass may hide it with
     * a static method of its own of the same name.
     */
    protected static LongStream seeds() {
        String seeds = System.getProperty(SEEDS_PROPERTY, "").trim();
        if (!seeds.isEmpty()) {
            return Arrays.stream(seeds.split("\\s*,\\s*")).mapToLong(Long::parseLong);
        }
        return LongStream.rangeClosed(1, isLong() ? LONG_SEEDS : 1);
    }

    private static boolean isLong() {
        return Boolean.getBoolean(LONG_PROPERTY);
    }

    /**
     * Returns the share of point reads that the workers' caches must answer, or 0 to check
     * nothing of the kind: by default 0.8, which a cache that keeps what it may keep reaches
     * easily with about {@value #READS_PER_WRITE} reads per write of a key in the paced run. The
     * unpaced scenarios require the lower of it and {@value #UNPACED_MINIMUM_HIT_RATIO}.
     */
    protected double expectedMinimumHitRatio() {
        return 0.8;
    }

    @AfterEach
    void killWorkers() throws Exception {
        try {
            for (WorkerProcess sleeper : stopped) {
                ChildProcess.signal(sleeper.pid(), "CONT");
            }
        } finally {
            workers.values().forEach(WorkerProcess::kill);
        }
    }

    @Test
    void noReadReturnsAnOverwrittenValueWhileALeaderIsKilledAndAReaderStopped() throws Exception {
        long operations = operations();
        begin("paced", PACED, 0, new Random(0));
        awaitCalls(operations / 3);
        killLeader(/* replace= */ true);
        awaitCalls(2 * operations / 3);
        stopFollowers(Kind.READER);
        awaitCalls(operations);
        StaleReadSummary summary = finish(expectedMinimumHitRatio());
        assertTrue(summary.readsChecked() >= operations / 2, () -> "only " + summary.readsChecked()
                + " reads were checked, of " + operations + " calls: " + summary.line());
    }

    /** Scenario {@code idle-leader-killed}: the idle leader killed, then a reader stopped, under unpaced load. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void noReadIsStaleWhenAnIdleLeaderIsKilledAndAReaderStopped(long seed) throws Exception {
        runUnpaced("idle-leader-killed", seed, /* varyReadThreads= */ false, () -> killLeader(/* replace= */ false),
                () -> stopFollowers(Kind.READER));
    }

    /** Scenario {@code leader-stopped}: the leader stopped for longer than any lease, twice, under unpaced load. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void noReadIsStaleWhenTheLeaderIsStoppedLongerThanALease(long seed) throws Exception {
        runUnpaced("leader-stopped", seed, /* varyReadThreads= */ true, this::stopLeader, this::stopLeader);
    }

    /** Scenario {@code followers-stopped}: a reader and a writer stopped together, then a reader, under unpaced load. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void noReadIsStaleWhenFollowersAreStopped(long seed) throws Exception {
        runUnpaced("followers-stopped", seed, /* varyReadThreads= */ true, () -> stopFollowers(Kind.READER, Kind.WRITER),
                () -> stopFollowers(Kind.READER));
    }

    /** Scenario {@code leader-killed-repeatedly}: whichever process leads killed three times and replaced. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void noReadIsStaleWhenEveryLeaderInTurnIsKilled(long seed) throws Exception {
        Step kill = () -> killLeader(/* replace= */ true);
        runUnpaced("leader-killed-repeatedly", seed, /* varyReadThreads= */ true, kill, kill, kill);
    }

    /** One step of the harness. */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * Opens the run: the first process, which must lead, then the other writers and the readers,
     * and waits until every one is ready.
     */
    private void begin(String name, Load shape, long runSeed, Random draws) throws Exception {
        options = options();
        load = shape;
        seed = runSeed;
        random = draws;
        scenario = name;
        db = tmp.resolve("db");
        operationLogs = Files.createDirectories(tmp.resolve("operations"));
        WorkerLog first = start(shape.idleLeader() ? Kind.IDLE : Kind.WRITER);
        ledger.await(STEP_TIMEOUT, "the first process to lead", () -> ledger.leader() == first && first.ready);
        for (int i = shape.idleLeader() ? 0 : 1; i < shape.writers(); i++) {
            start(Kind.WRITER);
        }
        for (int i = 0; i < shape.readers(); i++) {
            start(Kind.READER);
        }
        ledger.await(STEP_TIMEOUT, "every worker to be ready", () -> ledger.live().stream().allMatch(w -> w.ready));
    }

    /**
     * Runs an unpaced scenario ({@link Load#unpaced}) for {@code runSeed}, with one read thread a
     * reader, or one or two as the seed draws if {@code varyReadThreads}: opens it, takes the
     * {@code events} at even fractions of the run time (the i-th of n at i/(n+1)), each moved by
     * up to a twentieth of the run time either way as the seed draws, or at once if that moment
     * is past, lets the load run to its end, and {@linkplain #finish finishes} it, requiring the
     * lower of the two minimum hit ratios.
     */
    private void runUnpaced(String name, long runSeed, boolean varyReadThreads, Step... events) throws Exception {
        Random draws = new Random(runSeed * 1_000_003 + name.hashCode());
        int readThreads = varyReadThreads ? 1 + draws.nextInt(2) : 1;
        begin(name + " seed=" + runSeed, Load.unpaced(readThreads), runSeed, draws);
        long start = System.nanoTime();
        long runTime = runTime().toNanos();
        for (int i = 1; i <= events.length + 1; i++) {
            double fraction = i <= events.length ? (double) i / (events.length + 1) + (random.nextDouble() - 0.5) / 10 : 1;
            long left = start + (long) (runTime * fraction) - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left); // the schedule of the load, not a wait for anything
            }
            if (i <= events.length) {
                events[i - 1].run();
            }
        }
        StaleReadSummary summary = finish(Math.min(expectedMinimumHitRatio(), UNPACED_MINIMUM_HIT_RATIO));
        assertTrue(summary.readsChecked() >= summary.operations() / 2, () -> "only " + summary.readsChecked()
                + " reads were checked: " + summary.line());
    }

    /**
     * Stops every worker, checks the logs, prints the summary line, and fails the run if it did
     * not pass, or the hit ratio is not above {@code minimumHitRatio} (0: not checked).
     */
    private StaleReadSummary finish(double minimumHitRatio) throws Exception {
        ledger.stopAll(workers::get, STEP_TIMEOUT);
        StaleReadSummary summary = check(options.consistency());
        System.out.println(summary.line());
        assertTrue(summary.passed(), () -> summary.line() + "\n" + String.join("\n", summary.problems())
                + "\nOperation logs: " + operationLogs);
        if (minimumHitRatio > 0) {
            assertTrue(summary.cacheHitRatio() > minimumHitRatio, () -> "the cache hit ratio is not above "
                    + minimumHitRatio + ": " + summary.line());
        }
        return summary;
    }

    private void awaitCalls(long calls) throws InterruptedException {
        ledger.await(STEP_TIMEOUT.plusSeconds(calls / SLOWEST_CALLS_PER_SECOND), calls + " calls in all",
                () -> ledger.calls() >= calls);
    }

    /**
     * Kills the leader, waits for another process to lead, and, if {@code replace}, starts a worker
     * of the same kind in its place.
     */
    private void killLeader(boolean replace) throws Exception {
        WorkerLog victim = ledger.leader();
        long before = System.nanoTime();
        workers.get(victim).kill();
        ledger.killed(victim);
        kills++;
        ledger.await(STEP_TIMEOUT, "a new leader after the kill of " + victim.name,
                () -> ledger.hasLeaderSince(before));
        if (replace) {
            start(victim.kind);
        }
    }

    /**
     * Stops the leader with SIGSTOP for {@link #STOP_TIME}, continues it, and waits until the
     * writers have had {@value #WRITES_AFTER_A_LEADER_STOP} more writes acknowledged.
     */
    private void stopLeader() throws Exception {
        WorkerLog leader = ledger.leader();
        long writes = ledger.acknowledgedWrites();
        stop(List.of(leader), () -> { });
        ledger.await(STEP_TIMEOUT, WRITES_AFTER_A_LEADER_STOP + " writes acknowledged after " + leader.name
                + " was continued", () -> ledger.acknowledgedWrites() >= writes + WRITES_AFTER_A_LEADER_STOP);
    }

    /**
     * Stops ready workers that follow, one of each of {@code kinds} (chosen by the seed), with
     * SIGSTOP, until {@link #STOP_TIME} has passed and the writers have had
     * {@value #WRITES_WHILE_STOPPED} writes acknowledged meanwhile, and continues them.
     */
    private void stopFollowers(Kind... kinds) throws Exception {
        List<WorkerLog> victims = new ArrayList<>();
        for (Kind kind : kinds) {
            ledger.await(STEP_TIMEOUT, "a ready " + kind + " that follows", () -> !followers(kind).isEmpty());
            List<WorkerLog> candidates = followers(kind);
            victims.add(candidates.get(random.nextInt(candidates.size())));
        }
        long writes = ledger.acknowledgedWrites();
        stop(victims, () -> ledger.await(STEP_TIMEOUT, WRITES_WHILE_STOPPED + " writes acknowledged while "
                + victims + " are stopped", () -> ledger.acknowledgedWrites() >= writes + WRITES_WHILE_STOPPED));
    }

    /**
     * Stops {@code victims} with SIGSTOP, runs {@code meanwhile}, waits out the rest of
     * {@link #STOP_TIME}, and continues them with SIGCONT.
     */
    private void stop(List<WorkerLog> victims, Step meanwhile) throws Exception {
        long until = System.nanoTime() + STOP_TIME.toNanos();
        List<WorkerProcess> processes = victims.stream().map(workers::get).toList();
        try {
            for (WorkerProcess process : processes) {
                stopped.add(process);
                ChildProcess.signal(process.pid(), "STOP");
            }
            meanwhile.run();
            long left = until - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left); // the length of the stop, not a wait for anything
            }
        } finally {
            for (WorkerProcess process : processes) {
                ChildProcess.signal(process.pid(), "CONT");
                stopped.remove(process);
            }
        }
        stops += victims.size();
    }

    /** Returns the live workers of {@code kind} that are ready and do not lead. */
    private List<WorkerLog> followers(Kind kind) {
        WorkerLog leader = ledger.leader();
        return ledger.live().stream().filter(w -> w.kind == kind && w.ready && w != leader).toList();
    }

    /** Reads every operation log: the writes first, then each read, checked against them. */
    private StaleReadSummary check(Consistency consistency) throws IOException {
        List<Path> logs;
        try (Stream<Path> files = Files.list(operationLogs)) {
            logs = files.sorted().toList();
        }
        List<StaleReadChecker.Write> writes = new ArrayList<>();
        for (Path log : logs) {
            OperationLog.replay(log, worker(log), writes::add, read -> { }, () -> { });
        }
        StaleReadChecker checker = new StaleReadChecker(writes);
        LinearizabilityChecker linearizability = new LinearizabilityChecker(writes);
        long[] failedReads = {0};
        for (Path log : logs) {
            OperationLog.replay(log, worker(log), write -> { }, read -> {
                checker.check(read);
                linearizability.add(read);
            }, () -> failedReads[0]++);
        }
        long violations = linearizability.violations();
        List<String> problems = new ArrayList<>(checker.examples());
        problems.addAll(linearizability.examples());
        List<String> errors = ledger.errors();
        problems.addAll(errors);
        return new StaleReadSummary(scenario, consistency,
                writes.size() + checker.readsChecked() + failedReads[0], writes.size(),
                writes.stream().filter(w -> !w.acknowledged()).count(), checker.readsChecked(), failedReads[0],
                ledger.cacheHits(), ledger.cacheMisses(), checker.staleReads(), checker.neverWritten(), violations,
                kills, stops, errors.size(), problems);
    }

    /** Returns the name of the worker that wrote {@code log}, named {@code <worker>.<thread>.log}. */
    private static String worker(Path log) {
        String file = log.getFileName().toString();
        return file.substring(0, file.indexOf('.'));
    }

    /** Starts a worker of {@code kind} with the run's load, named by its kind and its number among them. */
    private WorkerLog start(Kind kind) throws IOException {
        String name = kind.prefix + (workers.keySet().stream().filter(w -> w.kind == kind).count() + 1);
        WorkerLog log = ledger.register(name, kind);
        int writeThreads = kind == Kind.WRITER || kind == Kind.READER && load.readerWritesPerSecond() > 0 ? 1 : 0;
        int readThreads = kind == Kind.READER ? load.readThreads() : 0;
        int writesPerSecond = kind == Kind.WRITER ? load.writesPerSecond() : load.readerWritesPerSecond();
        workers.put(log, WorkerProcess.start(tmp, name, StaleReadWorker.class,
                List.of(db.toUri().toString(), name, options.consistency().name(), Long.toString(options.cacheSize()),
                        Long.toString(options.requestTimeout().toMillis()), Integer.toString(load.hotKeys()),
                        operationLogs.toString(), Integer.toString(writeThreads), Integer.toString(readThreads),
                        Integer.toString(writesPerSecond), Integer.toString(load.readsPerSecond()),
                        Long.toString(seed)),
                line -> ledger.accept(log, line), cause -> ledger.ended(log, cause)));
        return log;
    }
}
