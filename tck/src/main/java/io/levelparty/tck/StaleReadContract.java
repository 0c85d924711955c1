package io.levelparty.tck;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.PartyOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stale-read test: processes with follower caches read a few hot keys while others overwrite
 * them with values unique to each write, a leader is killed and a reader stopped on the way, and
 * afterwards no read may have returned a value overwritten before it began, or a value never
 * written.
 *
 * <h2>The run</h2>
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
 * <h2>The verdict</h2>
 * Each load thread logs every call, with its key, its value and the {@link System#nanoTime()} at
 * which it started and ended, to a file of its own ({@link OperationLog}); a write is logged before
 * it is sent, so a SIGKILL can lose only writes that never took effect, reads, and outcomes (a
 * write whose outcome is lost counts as not acknowledged: it may or may not have taken effect).
 * The harness reads the logs and checks every read that returned ({@link StaleReadChecker}): it
 * fails the run on a read that returned a value certainly overwritten before the read began (a
 * <b>stale read</b>), or a value that no write had put by the time the read ended
 * (<b>never written</b>). It prints one summary line ({@link StaleReadSummary}): operations, reads
 * checked, the cache hit ratio (the workers' cache hits over their hits and misses), stale reads,
 * values never written, kills and stops, and more. It also asserts that most calls were checked
 * reads, and that the hit ratio exceeds {@link #expectedMinimumHitRatio()}, so that a cache that
 * is never used cannot pass for one that is never stale.
 *
 * <p><b>Clocks.</b> Start and end times from different processes are compared with each other. That
 * assumes that {@link System#nanoTime()} reads one clock in every process of the machine: on Linux
 * it reads {@code CLOCK_MONOTONIC}, which all processes share. Every error of measurement widens a
 * call's interval (a start is taken before the call is sent, and before its log line; an end after
 * it returns), and a wider interval can only make a read look less stale.
 *
 * <p>Subclass it in a test source set whose class path holds the implementation; workers get the
 * same class path and the JVM flags in {@value ChildProcess#JVM_FLAGS_PROPERTY}. The workers'
 * logs, and their standard error in {@code logs/}, stay in the test's temporary directory if the
 * test fails. Signals are sent with the {@code kill} command, so this test needs a POSIX system.
 */
public abstract class StaleReadContract {
    /** The system property that sets how many calls the workers make in all. */
    public static final String OPERATIONS_PROPERTY = "levelparty.staleread.operations";
    /** How many calls the workers make in all unless {@value #OPERATIONS_PROPERTY} says otherwise. */
    public static final long DEFAULT_OPERATIONS = 150_000;
    /** The system property that sets the consistency of the default {@link #options()}: STRICT or RELAXED. */
    public static final String CONSISTENCY_PROPERTY = "levelparty.staleread.consistency";
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
    static final int WRITES_WHILE_STOPPED = 100;
    private static final Duration STOP_TIME = Duration.ofMillis(1500);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** The longest the harness waits for any one step: a JVM to start, a leader to be elected, the workers to stop. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);
    /** The slowest pace of the load the harness waits for, in calls a second, on top of a step. */
    private static final int SLOWEST_CALLS_PER_SECOND = 1000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;
    private Path db;
    private Path operationLogs;
    private final StaleReadLedger ledger = new StaleReadLedger();
    private final Map<StaleReadLedger.WorkerLog, WorkerProcess> workers = new HashMap<>();
    private int kills;
    private int stops;
    /** The worker stopped with SIGSTOP, until it is continued. */
    private volatile WorkerProcess stopped;

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

    /** Returns how many calls the workers make in all: {@value #OPERATIONS_PROPERTY}, or {@value #DEFAULT_OPERATIONS}. */
    protected long operations() {
        return Long.getLong(OPERATIONS_PROPERTY, DEFAULT_OPERATIONS);
    }

    /**
     * Returns the share of point reads that the workers' caches must answer, or 0 to check
     * nothing of the kind: by default 0.8, which a cache that keeps what it may keep reaches
     * easily with about {@value #READS_PER_WRITE} reads per write of a key.
     */
    protected double expectedMinimumHitRatio() {
        return 0.8;
    }

    @AfterEach
    void killWorkers() throws Exception {
        try {
            WorkerProcess sleeper = stopped;
            if (sleeper != null) {
                ChildProcess.signal(sleeper.pid(), "CONT");
            }
        } finally {
            workers.values().forEach(WorkerProcess::kill);
        }
    }

    @Test
    void noReadReturnsAnOverwrittenValueWhileALeaderIsKilledAndAReaderStopped() throws Exception {
        long operations = operations();
        PartyOptions<String> options = options();
        db = tmp.resolve("db");
        operationLogs = Files.createDirectories(tmp.resolve("operations"));

        StaleReadLedger.WorkerLog first = start(options, /* writer= */ true);
        ledger.await(STEP_TIMEOUT, "the first writer to lead", () -> ledger.leader() == first && first.ready);
        for (int i = 1; i < WRITERS; i++) {
            start(options, /* writer= */ true);
        }
        for (int i = 0; i < READERS; i++) {
            start(options, /* writer= */ false);
        }
        ledger.await(STEP_TIMEOUT, "every worker to be ready", () -> ledger.live().stream().allMatch(w -> w.ready));

        awaitCalls(operations / 3);
        killLeader(options);
        awaitCalls(2 * operations / 3);
        stopAReader();
        awaitCalls(operations);
        ledger.stopAll(workers::get, STEP_TIMEOUT);

        StaleReadSummary summary = check(options.consistency());
        System.out.println(summary.line());
        assertTrue(summary.passed(), () -> summary.line() + "\n" + String.join("\n", summary.problems())
                + "\nOperation logs: " + operationLogs);
        assertTrue(summary.readsChecked() >= operations / 2, () -> "only " + summary.readsChecked()
                + " reads were checked, of " + operations + " calls: " + summary.line());
        double minimum = expectedMinimumHitRatio();
        if (minimum > 0) {
            assertTrue(summary.cacheHitRatio() > minimum, () -> "the cache hit ratio is not above " + minimum
                    + ": " + summary.line());
        }
    }

    private void awaitCalls(long calls) throws InterruptedException {
        ledger.await(STEP_TIMEOUT.plusSeconds(calls / SLOWEST_CALLS_PER_SECOND), calls + " calls in all",
                () -> ledger.calls() >= calls);
    }

    /** Kills the leader, waits for another process to lead, and starts a worker of the same kind in its place. */
    private void killLeader(PartyOptions<String> options) throws Exception {
        StaleReadLedger.WorkerLog victim = ledger.leader();
        long before = System.nanoTime();
        workers.get(victim).kill();
        ledger.killed(victim);
        kills++;
        ledger.await(STEP_TIMEOUT, "a new leader after the kill of " + victim.name,
                () -> ledger.hasLeaderSince(before));
        start(options, victim.writer);
    }

    /**
     * Stops a reader that follows with SIGSTOP, until {@link #STOP_TIME} has passed and the
     * writers have had {@value #WRITES_WHILE_STOPPED} writes acknowledged meanwhile, and
     * continues it.
     */
    private void stopAReader() throws Exception {
        ledger.await(STEP_TIMEOUT, "a ready reader that follows", () -> follower() != null);
        StaleReadLedger.WorkerLog reader = follower();
        WorkerProcess process = workers.get(reader);
        long writes = ledger.acknowledgedWrites();
        long until = System.nanoTime() + STOP_TIME.toNanos();
        stopped = process;
        ChildProcess.signal(process.pid(), "STOP");
        try {
            ledger.await(STEP_TIMEOUT, WRITES_WHILE_STOPPED + " writes acknowledged while " + reader.name
                    + " is stopped", () -> ledger.acknowledgedWrites() >= writes + WRITES_WHILE_STOPPED);
            long left = until - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left); // the length of the stop, not a wait for anything
            }
        } finally {
            ChildProcess.signal(process.pid(), "CONT");
            stopped = null;
        }
        stops++;
    }

    /** Returns a live reader that is ready and does not lead, or null. */
    private StaleReadLedger.WorkerLog follower() {
        StaleReadLedger.WorkerLog leader = ledger.leader();
        return ledger.live().stream().filter(w -> !w.writer && w.ready && w != leader).findFirst().orElse(null);
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
        long[] failedReads = {0};
        for (Path log : logs) {
            OperationLog.replay(log, worker(log), write -> { }, checker::check, () -> failedReads[0]++);
        }
        List<String> problems = new ArrayList<>(checker.examples());
        List<String> errors = ledger.errors();
        problems.addAll(errors);
        return new StaleReadSummary(consistency, writes.size() + checker.readsChecked() + failedReads[0],
                writes.size(), writes.stream().filter(w -> !w.acknowledged()).count(), checker.readsChecked(),
                failedReads[0], ledger.cacheHits(), ledger.cacheMisses(), checker.staleReads(), checker.neverWritten(),
                kills, stops, errors.size(), problems);
    }

    /** Returns the name of the worker that wrote {@code log}, named {@code <worker>.<thread>.log}. */
    private static String worker(Path log) {
        String file = log.getFileName().toString();
        return file.substring(0, file.indexOf('.'));
    }

    private StaleReadLedger.WorkerLog start(PartyOptions<String> options, boolean writer) throws IOException {
        String name = (writer ? "w" : "r") + (workers.keySet().stream().filter(w -> w.writer == writer).count() + 1);
        StaleReadLedger.WorkerLog log = ledger.register(name, writer);
        workers.put(log, WorkerProcess.start(tmp, name, StaleReadWorker.class,
                List.of(db.toString(), name, options.consistency().name(), Long.toString(options.cacheSize()),
                        Long.toString(options.requestTimeout().toMillis()), Integer.toString(HOT_KEYS),
                        operationLogs.toString(), "1", Integer.toString(writer ? 0 : READ_THREADS),
                        Integer.toString(writer ? WRITES_PER_SECOND : READER_WRITES_PER_SECOND),
                        Integer.toString(READS_PER_SECOND)),
                line -> ledger.accept(log, line), cause -> ledger.ended(log, cause)));
        return log;
    }
}
