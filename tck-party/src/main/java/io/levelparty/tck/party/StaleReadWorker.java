package io.levelparty.tck.party;

import static io.levelparty.tck.party.WorkerChannel.oneLine;
import static io.levelparty.tck.party.WorkerChannel.report;

import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.PartyStats;
import io.levelparty.PartyUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * One process of the stale-read run ({@link StaleReadContract}). It opens the map whose URI is
 * its first argument and, until told to stop, runs write threads, read threads, both or neither
 * (a process that only serves others when it leads), each paced to its own rate or as fast as it
 * can:
 * <ul>
 *   <li>a write thread puts values unique to the run, {@code <worker>-<thread>-<n>}, under hot keys
 *       chosen at random;</li>
 *   <li>a read thread gets hot keys chosen at random.</li>
 * </ul>
 * Each thread logs its calls, with their {@link System#nanoTime()} start and end, to a file of
 * its own ({@link OperationLog}), named {@code <worker>.<thread>.log}.
 *
 * <p>It reports on standard output, through its {@link WorkerChannel}:
 * <pre>
 * READY pid role                    the map is open; the load threads run
 * LEADER pid nanos                  this process leads (at start, or since a re-election)
 * OPS calls acknowledged-writes     progress, at most ten times a second
 * STATS hits misses evictions       after "stop", once every load thread has ended: the map's cache counts
 * CLOSED                            the map is closed; the process exits
 * ERROR thread what exception       a failure other than PartyUnavailableException
 * </pre>
 *
 * <p>Arguments: the map's URI, the worker's name, the consistency, the cache size, the request
 * timeout in milliseconds, the number of hot keys, the directory for the logs, the numbers of
 * write and read threads, the calls a second each write and each read thread makes at most (0:
 * as many as it can), and the seed from which each thread draws its keys.
 */
public final class StaleReadWorker {
    private final PartyMap<String> map;
    private final String name;
    private final int hotKeys;
    private final Path logs;
    private final long seed;
    private final LongAdder calls = new LongAdder();
    private final LongAdder acknowledgedWrites = new LongAdder();
    private volatile boolean stopping;

    private StaleReadWorker(PartyMap<String> map, String name, int hotKeys, Path logs, long seed) {
        this.map = map;
        this.name = name;
        this.hotKeys = hotKeys;
        this.logs = logs;
        this.seed = seed;
    }

    /** Returns hot key number {@code i}. */
    static String hotKey(int i) {
        return String.format("hot/%02d", i);
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        String name = args[1];
        Consistency consistency = Consistency.valueOf(args[2]);
        long cacheSize = Long.parseLong(args[3]);
        Duration requestTimeout = Duration.ofMillis(Long.parseLong(args[4]));
        int hotKeys = Integer.parseInt(args[5]);
        Path logs = Path.of(args[6]);
        int writeThreads = Integer.parseInt(args[7]);
        int readThreads = Integer.parseInt(args[8]);
        int writesPerSecond = Integer.parseInt(args[9]);
        int readsPerSecond = Integer.parseInt(args[10]);
        long seed = Long.parseLong(args[11]);

        // A minute to open: six JVMs start at once, and on a loaded machine the default 10 s was
        // seen to run out before the run began. Only the first open waits this long; what the
        // contract checks (reads, and the re-elections after faults) runs on the request timeout.
        PartyMap<String> map = WorkerChannel.openAnnouncingLeadership(uri, PartyOptions.of(Codecs.utf8())
                .consistency(consistency).cacheSize(cacheSize).requestTimeout(requestTimeout)
                .openTimeout(Duration.ofMinutes(1)));
        StaleReadWorker worker = new StaleReadWorker(map, name, hotKeys, logs, seed);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writeThreads; t++) {
            threads.add(worker.thread("write-" + t, writesPerSecond, /* writes= */ true));
        }
        for (int t = 0; t < readThreads; t++) {
            threads.add(worker.thread("read-" + t, readsPerSecond, /* writes= */ false));
        }
        WorkerChannel.runUntilStopped(map, threads, worker::reportProgress, () -> worker.stopping = true,
                requestTimeout.multipliedBy(3));
        worker.reportProgress();
        PartyStats stats = map.stats();
        report("STATS " + stats.cacheHits() + " " + stats.cacheMisses() + " " + stats.cacheEvictions());
        map.close();
        report("CLOSED");
        System.exit(0);
    }

    private Thread thread(String threadName, int perSecond, boolean writes) throws IOException {
        OperationLog log = new OperationLog(logs.resolve(name + "." + threadName + ".log"));
        Pacer pacer = perSecond > 0 ? new Pacer(perSecond) : null;
        SplittableRandom keys = new SplittableRandom(seed * 1_000_003 + (name + "." + threadName).hashCode());
        Thread thread = new Thread(() -> {
            try (log) {
                for (long n = 1; !stopping; n++) {
                    if (pacer != null) {
                        pacer.await();
                    }
                    String key = hotKey(keys.nextInt(hotKeys));
                    if (writes) {
                        write(log, key, name + "-" + threadName + "-" + n);
                    } else {
                        read(log, key);
                    }
                    calls.increment();
                }
            } catch (IOException | RuntimeException | Error e) {
                report("ERROR " + threadName + " loop " + oneLine(e));
            }
        }, name + "-" + threadName);
        thread.setDaemon(true);
        return thread;
    }

    private void write(OperationLog log, String key, String value) throws IOException {
        long start = System.nanoTime();
        log.put(key, value, start);
        try {
            map.put(key, value);
            log.putEnded(/* acknowledged= */ true, System.nanoTime());
            acknowledgedWrites.increment();
        } catch (PartyUnavailableException e) {
            log.putEnded(/* acknowledged= */ false, System.nanoTime());
        } catch (RuntimeException e) {
            log.putEnded(/* acknowledged= */ false, System.nanoTime());
            report("ERROR " + Thread.currentThread().getName() + " put " + key + " " + oneLine(e));
        }
    }

    private void read(OperationLog log, String key) throws IOException {
        long start = System.nanoTime();
        try {
            String value = map.get(key);
            log.get(key, value, start, System.nanoTime());
        } catch (PartyUnavailableException e) {
            log.getFailed(key, start, System.nanoTime());
        } catch (RuntimeException e) {
            log.getFailed(key, start, System.nanoTime());
            report("ERROR " + Thread.currentThread().getName() + " get " + key + " " + oneLine(e));
        }
    }

    private void reportProgress() {
        report("OPS " + calls.sum() + " " + acknowledgedWrites.sum());
    }
}
