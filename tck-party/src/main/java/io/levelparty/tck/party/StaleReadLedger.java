package io.levelparty.tck.party;

import java.util.function.ToLongFunction;

/**
 * What the harness of a stale-read run ({@link StaleReadContract}) knows of its workers
 * ({@link StaleReadWorker}) from the lines they report: besides what every {@link WorkerLedger}
 * knows, how far the load has got, and each worker's cache counts once it has stopped.
 *
 * <p>Thread-safe, as every {@link WorkerLedger}.
 */
final class StaleReadLedger extends WorkerLedger<StaleReadLedger.WorkerLog> {
    /** What a worker process does. */
    enum Kind {
        /** Opens the map and makes no call: a leader that serves only others. */
        IDLE("i"),
        /** Runs write threads. */
        WRITER("w"),
        /** Runs read threads, and write threads too if its load says so. */
        READER("r");

        /** The prefix of the names of workers of this kind. */
        final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    /** What the ledger knows of one worker process. */
    static final class WorkerLog extends WorkerLedger.Worker {
        final Kind kind;
        long calls;
        long acknowledgedWrites;
        long cacheHits;
        long cacheMisses;

        WorkerLog(String name, int index, Kind kind) {
            super(name, index);
            this.kind = kind;
        }

        @Override
        public String toString() {
            return super.toString() + " calls=" + calls + " acknowledged-writes=" + acknowledgedWrites;
        }
    }

    WorkerLog register(String name, Kind kind) {
        return register(index -> new WorkerLog(name, index, kind));
    }

    @Override
    protected void parse(WorkerLog w, String line) {
        String[] f = line.split(" ");
        switch (f[0]) {
            case "OPS" -> { // progress reports may overtake each other
                w.calls = Math.max(w.calls, Long.parseLong(f[1]));
                w.acknowledgedWrites = Math.max(w.acknowledgedWrites, Long.parseLong(f[2]));
            }
            case "STATS" -> {
                w.cacheHits = Long.parseLong(f[1]);
                w.cacheMisses = Long.parseLong(f[2]);
            }
            default -> throw new IllegalArgumentException("unknown report");
        }
    }

    /** Returns the calls of every worker, as far as they reported them. */
    synchronized long calls() {
        return sum(w -> w.calls);
    }

    /** Returns the writes acknowledged to every worker, as far as they reported them. */
    synchronized long acknowledgedWrites() {
        return sum(w -> w.acknowledgedWrites);
    }

    /** Returns the point reads answered from the cache, summed over the workers that stopped normally. */
    synchronized long cacheHits() {
        return sum(w -> w.cacheHits);
    }

    /** Returns the point reads that missed the cache in use, summed over the workers that stopped normally. */
    synchronized long cacheMisses() {
        return sum(w -> w.cacheMisses);
    }

    private long sum(ToLongFunction<WorkerLog> count) {
        return workers.stream().mapToLong(count).sum();
    }
}
