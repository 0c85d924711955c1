package io.levelparty.tck.party;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.Role;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failover chaos test: several processes share one map under load while the harness kills
 * whatever leads the map with SIGKILL again and again, and afterwards nothing acknowledged may be
 * missing, nothing may have been applied twice, no traversal may have skipped or repeated an
 * entry, and no call may have hung.
 *
 * <h2>The store and its fault</h2>
 * Every process opens the map through {@link LevelParty#open(URI, PartyOptions)}, so the contract
 * runs against any store that door opens. A subclass names the map ({@link #newMap}), and may give
 * each worker a URI of its own ({@link #workerMap}, for example another member of a cluster), and
 * says what a kill is ({@link #killLeader}):
 * <ul>
 *   <li>for LevelParty's party on a LevelDB directory ({@code file:} URIs), the leader is a worker:
 *       {@link #killLeadingWorker()} kills it, waits for another to announce that it leads, and
 *       starts a worker in its place;</li>
 *   <li>for a store whose writes are ordered by a server, such as an etcd cluster, the subclass
 *       kills that server's leader, records the kill with {@link #recordKill}, and restarts it.</li>
 * </ul>
 *
 * <h2>The run</h2>
 * The harness writes a stable range of {@value ChaosWorker#STABLE_KEYS} keys (more than two pages
 * of 256) and {@value ChaosWorker#COUNTERS} counters at 0, in batches of {@value #SEED_BATCH}
 * entries (within etcd's limit of 127 keys a transaction), then starts {@link #workers()} worker
 * processes ({@link ChaosWorker}) on the map, each with put, counter and scan threads that
 * run for the whole test (see {@link ChaosWorker} for the load and what the workers report). Each
 * thread paces itself to a fixed rate of calls, so that the leader's own threads, whose calls
 * never leave their process, cannot starve the machine; a follower's threads are slowed by their
 * round trips long before that rate. Pacing only shapes the load: no check depends on it. Then,
 * {@link #defaultKills()} times (or as often as the system property {@value #KILLS_PROPERTY} says):
 * <ol>
 *   <li>wait until at least all workers but one are ready (so that, when a kill takes a worker,
 *       the others survive it while its replacement opens), and each of them has acknowledged {@value #WRITES_PER_ROUND}
 *       writes and finished {@value #SCANS_PER_ROUND} scans since the last kill;</li>
 *   <li>{@link #killLeader()}: for a LevelDB party, SIGKILL the leader, which the harness knows
 *       from the workers' announcements, wait for a surviving worker to announce that it leads,
 *       and start a new worker in place of the dead one.</li>
 * </ol>
 * A new worker is not waited for: it starts, and opens the map, while the others carry on, and
 * the next kill may come while it is still opening.
 * Finally every worker is told to stop: it lets its calls finish, closes its map and exits. The
 * harness then opens the map itself and reads the final state.
 *
 * <h2>The verdict</h2>
 * Workers report each call before it starts and its outcome after it (a SIGKILL can therefore
 * only leave a call of unknown fate, never an outcome unreported), and the harness checks
 * ({@link ChaosSummary}):
 * <ul>
 *   <li><b>lost</b>: every acknowledged put is in the final state with its value, and every
 *       acknowledged increment was taken by its counter;</li>
 *   <li><b>doubled</b>: no put returned a previous value (each key is put once, so one would show
 *       a put applied twice), and each step {@code n -> n+1} that a counter took was acknowledged
 *       to exactly one caller or belongs to a call of unknown fate: a step nobody was told of is a
 *       compare-and-set applied once but answered as failed, that is, applied a second time for its
 *       caller's retry. Hence {@code acked <= counter <= acked + unknown} for each counter;</li>
 *   <li><b>scan anomalies</b>: every traversal of the stable range, forward and backward, through
 *       inclusive and exclusive bounds, returned exactly the range, in order;</li>
 *   <li><b>hung</b>: every call returned within twice the request timeout (a watchdog in each
 *       worker reports any that does not), and every wait of the harness has a deadline.</li>
 * </ul>
 * Calls that throw {@code PartyUnavailableException} have an unknown fate and are counted, not
 * failed. The test prints one summary line and asserts the four counts above are zero (and that
 * nothing else went wrong). It also measures, and prints without asserting, the failover time of
 * each kill: from the harness's {@link System#nanoTime()} just before the SIGKILL to the first
 * acknowledgement of a write issued after the kill returned, by any process but the killed one.
 * A write already in flight at the kill is not counted, since the dying leader may have answered
 * it: so the figure is an upper bound, by about one round trip.
 *
 * <p>Comparing times across processes assumes that {@link System#nanoTime()} reads one clock in
 * every process of the machine, as it does on Linux, where it is {@code CLOCK_MONOTONIC}.
 *
 * <p>Subclass it in a test source set whose class path holds the implementation, and the store's
 * provider; workers get the same class path and the JVM flags in
 * {@value ChildProcess#JVM_FLAGS_PROPERTY}. The workers' standard error goes to {@code logs/} in
 * the test's temporary directory, which is kept if the test fails.
 */
public abstract class FailoverChaosContract {
    /** The system property that sets how many leaders are killed. */
    public static final String KILLS_PROPERTY = "levelparty.chaos.kills";
    /** How many leaders are killed unless {@value #KILLS_PROPERTY} or {@link #defaultKills()} says otherwise. */
    public static final int DEFAULT_KILLS = 20;
    /** How many worker processes run at once unless {@link #workers()} says otherwise. */
    public static final int DEFAULT_WORKERS = 4;
    /** The request timeout of the workers' maps; a call running twice as long counts as hung. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** How many entries each batch of the seed writes. */
    static final int SEED_BATCH = 100;
    static final int WRITES_PER_ROUND = 100;
    static final int SCANS_PER_ROUND = 2;
    private static final int PUT_THREADS = 2;
    private static final int COUNTER_THREADS = 2;
    private static final int SCAN_THREADS = 1;
    private static final int PUTS_PER_SECOND = 2000;
    private static final int INCREMENTS_PER_SECOND = 1000;
    private static final int SCANS_PER_SECOND = 50;
    /** The longest the harness waits for any one step: a JVM to start, a leader to be elected, the load to progress. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);

    @TempDir(cleanup = CleanupMode.NEVER)
    Path tmp;
    private URI map;
    private int round;
    private final ChaosLedger ledger = new ChaosLedger();
    private final Map<ChaosLedger.WorkerLog, WorkerProcess> workers = new HashMap<>();

    /**
     * Returns the URI of a new, empty map, which the harness seeds and reads with
     * {@link LevelParty#open(URI, io.levelparty.Codec)}, and the workers open unless
     * {@link #workerMap} says otherwise. Called once a test.
     *
     * @param tmp the test's temporary directory (a LevelDB party's directory goes in it)
     */
    protected abstract URI newMap(Path tmp);

    /**
     * Returns the URI worker number {@code worker} (from 0, in the order the workers start,
     * replacements included) opens, which must name the same map as {@code map}; by default
     * {@code map} itself. A store with several entry points gives the workers different ones.
     */
    protected URI workerMap(URI map, int worker) {
        return map;
    }

    /** Returns how many worker processes run at once: {@value #DEFAULT_WORKERS} unless overridden; at least 2. */
    protected int workers() {
        return DEFAULT_WORKERS;
    }

    /** Returns how many kills a run makes unless {@value #KILLS_PROPERTY} says otherwise: {@value #DEFAULT_KILLS} unless overridden. */
    protected int defaultKills() {
        return DEFAULT_KILLS;
    }

    /**
     * Returns the open timeout of the workers' maps: by default
     * {@link PartyOptions#DEFAULT_OPEN_TIMEOUT}. A store whose client takes long to start (a
     * worker opens its map while others load the machine) may allow it more, up to the two
     * minutes the harness waits for a worker to be ready.
     */
    protected Duration workerOpenTimeout() {
        return PartyOptions.DEFAULT_OPEN_TIMEOUT;
    }

    /**
     * The fault of one round: kills whatever leads the map's writes with SIGKILL, and returns when
     * the next round may begin (the harness then waits for the workers to make progress before the
     * next kill). Every kill must be recorded: {@link #killLeadingWorker()} does it for a worker,
     * {@link #recordKill} for a process that is not one, such as a server of the store.
     *
     * @throws Exception if the fault could not be injected; the test fails
     */
    protected abstract void killLeader() throws Exception;

    /**
     * Kills the worker that announced last that it leads, as a LevelDB party elects one: SIGKILL,
     * then waits for a surviving worker to announce that it leads, then starts a worker in place of
     * the dead one, without waiting for it to open the map.
     *
     * @throws AssertionError if no other worker announces that it leads within two minutes
     */
    protected final void killLeadingWorker() throws InterruptedException, IOException {
        ChaosLedger.WorkerLog victim = ledger.leader();
        long before = System.nanoTime();
        workers.get(victim).kill();
        long after = System.nanoTime();
        ledger.killed(victim, before, after);
        ledger.await(STEP_TIMEOUT, "a new leader after kill " + round + " (of " + victim.name + ")",
                () -> ledger.hasLeaderSince(before));
        start();
    }

    /**
     * Records a kill of a process that is not a worker, made between the {@link System#nanoTime()}
     * values {@code beforeNanos} and {@code afterNanos}: it counts in the summary's kills, and its
     * failover time runs from {@code beforeNanos} to the first acknowledgement of a write any
     * worker issued after {@code afterNanos}.
     */
    protected final void recordKill(long beforeNanos, long afterNanos) {
        ledger.killed(null, beforeNanos, afterNanos);
    }

    @AfterEach
    void killWorkers() {
        workers.values().forEach(WorkerProcess::kill);
    }

    @Test
    void nothingAcknowledgedIsLostOrDoubledWhileLeadersAreKilled() throws Exception {
        int kills = Integer.getInteger(KILLS_PROPERTY, defaultKills());
        int readyAtKill = workers() - 1;
        map = newMap(tmp);
        seed();

        ChaosLedger.WorkerLog first = start();
        ledger.await(STEP_TIMEOUT, "the first worker to lead", () -> ledger.leader() == first && first.ready);
        for (int i = 1; i < workers(); i++) {
            start();
        }
        for (round = 1; round <= kills; round++) {
            ledger.await(STEP_TIMEOUT, readyAtKill + " workers to be ready, each having acknowledged "
                    + WRITES_PER_ROUND + " writes and finished " + SCANS_PER_ROUND + " scans since the last kill",
                    () -> ledger.progressed(readyAtKill, WRITES_PER_ROUND, SCANS_PER_ROUND));
            killLeader();
            ledger.mark();
        }
        ledger.stopAll(workers::get, STEP_TIMEOUT);

        ChaosSummary summary;
        try (PartyMap<String> finalState = LevelParty.open(map, Codecs.utf8())) {
            assertEquals(Role.LEADER, finalState.role(), "with every worker gone, the harness leads");
            summary = ledger.summarize(finalState);
        }
        System.out.println(summary.line());
        assertTrue(summary.passed(), () -> summary.line() + "\n" + String.join("\n", summary.problems())
                + "\nWorker logs: " + tmp.resolve("logs"));
    }

    /** Writes the stable range and the counters, then closes the map again. */
    private void seed() {
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < ChaosWorker.STABLE_KEYS; i++) {
            String key = ChaosWorker.stableKey(i);
            entries.put(key, ChaosWorker.stableValue(key));
        }
        for (int c = 0; c < ChaosWorker.COUNTERS; c++) {
            entries.put(ChaosWorker.counterKey(c), "0");
        }
        try (PartyMap<String> seeded = LevelParty.open(map, Codecs.utf8())) {
            PartyMap.Batch<String> batch = seeded.batch();
            int size = 0;
            for (Map.Entry<String, String> e : entries.entrySet()) {
                batch.put(e.getKey(), e.getValue());
                if (++size == SEED_BATCH) {
                    batch.apply();
                    batch = seeded.batch();
                    size = 0;
                }
            }
            batch.apply();
        }
    }

    private ChaosLedger.WorkerLog start() throws IOException {
        int index = workers.size();
        String name = "w" + (index + 1);
        ChaosLedger.WorkerLog log = ledger.register(name);
        workers.put(log, WorkerProcess.start(tmp, name, ChaosWorker.class,
                List.of(workerMap(map, index).toString(), name, Long.toString(REQUEST_TIMEOUT.toMillis()), Integer.toString(PUT_THREADS),
                        Integer.toString(COUNTER_THREADS), Integer.toString(SCAN_THREADS),
                        Integer.toString(PUTS_PER_SECOND), Integer.toString(INCREMENTS_PER_SECOND),
                        Integer.toString(SCANS_PER_SECOND), Long.toString(workerOpenTimeout().toMillis())),
                line -> ledger.accept(log, line), cause -> ledger.ended(log, cause)));
        return log;
    }
}
