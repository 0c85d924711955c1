package io.levelparty.tck.party;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;

/**
 * Everything the workers of a chaos run ({@link ChaosWorker}) reported, gathered by the harness
 * ({@link FailoverChaosContract}) as the lines arrive, and the verdict on it once the run is over
 * and the final state of the map is known.
 *
 * <p>Thread-safe, as every {@link WorkerLedger}.
 */
final class ChaosLedger extends WorkerLedger<ChaosLedger.WorkerLog> {
    /** What the ledger knows of one worker process. */
    static final class WorkerLog extends WorkerLedger.Worker {
        /** Acknowledged writes (puts and replaces, whatever their outcome) and finished scans. */
        long writes;
        long scans;
        long writesMark;
        long scansMark;
        /** By put thread: the highest number tried, and the numbers acknowledged. */
        final Map<Integer, Long> putsTried = new HashMap<>();
        final Map<Integer, BitSet> putsAcked = new HashMap<>();
        /** By put thread: the number tried whose outcome has not been reported. */
        final Map<Integer, Long> putPending = new HashMap<>();
        /** By counter thread: {counter, from} of the replace whose outcome has not been reported. */
        final Map<Integer, long[]> replacePending = new HashMap<>();

        WorkerLog(String name, int index) {
            super(name, index);
        }

        @Override
        public String toString() {
            return super.toString() + " writes=" + writes + " scans=" + scans;
        }
    }

    /** Kills: the harness's nanoTime just before and just after each SIGKILL, and the victim's index, or -1. */
    private final List<long[]> kills = new ArrayList<>();

    /** Acknowledged writes: start and end nanoTime, and the worker's index. */
    private long[] ackStart = new long[1 << 16];
    private long[] ackEnd = new long[1 << 16];
    private int[] ackWorker = new int[1 << 16];
    private int acks;

    /** Finished scans: start and end nanoTime, and the worker's index. */
    private final List<long[]> scanTimes = new ArrayList<>();

    private long ackedPuts;
    private long ackedIncrements;
    private long unknownPuts;
    private long unknownIncrements;
    private long unavailableReads;
    /** By counter: the values acknowledged replaces started from, and those of replaces of unknown fate. */
    private final List<List<Long>> ackedFrom = new ArrayList<>();
    private final List<Set<Long>> unknownFrom = new ArrayList<>();

    private final List<String> doubled = new ArrayList<>();
    private final List<String> scanAnomalies = new ArrayList<>();
    private final List<String> hung = new ArrayList<>();

    ChaosLedger() {
        for (int c = 0; c < ChaosWorker.COUNTERS; c++) {
            ackedFrom.add(new ArrayList<>());
            unknownFrom.add(new HashSet<>());
        }
    }

    WorkerLog register(String name) {
        return register(index -> new WorkerLog(name, index));
    }

    @Override
    protected void parse(WorkerLog w, String line) {
        String[] f = line.split(" ", 7);
        switch (f[0]) {
            case "PT" -> {
                int t = Integer.parseInt(f[1]);
                long seq = Long.parseLong(f[2]);
                w.putsTried.merge(t, seq, Math::max);
                w.putPending.put(t, seq);
            }
            case "PA", "PD" -> {
                int t = Integer.parseInt(f[1]);
                long seq = Long.parseLong(f[2]);
                w.putPending.remove(t);
                w.putsAcked.computeIfAbsent(t, x -> new BitSet()).set(Math.toIntExact(seq));
                ackedPuts++;
                ack(w, Long.parseLong(f[3]), Long.parseLong(f[4]));
                if (f[0].equals("PD")) {
                    doubled.add(w.name + ": the put of " + ChaosWorker.putKey(w.name, t, seq)
                            + " returned the previous value " + line.split(" ", 6)[5]);
                }
            }
            case "PU" -> {
                w.putPending.remove(Integer.parseInt(f[1]));
                unknownPuts++;
            }
            case "CT" -> w.replacePending.put(Integer.parseInt(f[1]),
                    new long[] {Integer.parseInt(f[2]), Long.parseLong(f[3])});
            case "CA", "CF" -> {
                w.replacePending.remove(Integer.parseInt(f[1]));
                if (f[0].equals("CA")) {
                    ackedFrom.get(Integer.parseInt(f[2])).add(Long.parseLong(f[3]));
                    ackedIncrements++;
                }
                ack(w, Long.parseLong(f[4]), Long.parseLong(f[5]));
            }
            case "CU" -> {
                w.replacePending.remove(Integer.parseInt(f[1]));
                unknownFrom.get(Integer.parseInt(f[2])).add(Long.parseLong(f[3]));
                unknownIncrements++;
            }
            case "RU" -> unavailableReads++;
            case "SA" -> scanned(w, Long.parseLong(f[2]), Long.parseLong(f[3]));
            case "SX" -> {
                scanned(w, Long.parseLong(f[2]), Long.parseLong(f[3]));
                scanAnomalies.add(w.name + " " + f[1] + ": " + line.split(" ", 5)[4]);
            }
            case "SU" -> unavailableReads++;
            case "HUNG" -> hung.add(w.name + ": " + line.substring("HUNG ".length()));
            case "STOPPED" -> { }
            default -> throw new IllegalArgumentException("unknown report");
        }
    }

    private void ack(WorkerLog w, long start, long end) {
        if (acks == ackStart.length) {
            ackStart = Arrays.copyOf(ackStart, acks * 2);
            ackEnd = Arrays.copyOf(ackEnd, acks * 2);
            ackWorker = Arrays.copyOf(ackWorker, acks * 2);
        }
        ackStart[acks] = start;
        ackEnd[acks] = end;
        ackWorker[acks] = w.index;
        acks++;
        w.writes++;
    }

    private void scanned(WorkerLog w, long start, long end) {
        scanTimes.add(new long[] {start, end, w.index});
        w.scans++;
    }

    /**
     * Records that {@code victim} was killed between the harness's nanoTime {@code before} and
     * {@code after}; a null victim is a process that is not a worker (a server of the store).
     */
    synchronized void killed(WorkerLog victim, long before, long after) {
        kills.add(new long[] {before, after, victim == null ? -1 : victim.index});
        if (victim != null) {
            killed(victim);
        }
    }

    /** Remembers how far every worker has got, for {@link #progressed}. */
    synchronized void mark() {
        for (WorkerLog w : workers) {
            w.writesMark = w.writes;
            w.scansMark = w.scans;
        }
    }

    /**
     * Returns whether at least {@code workers} live workers are ready, and each acknowledged
     * {@code writes} writes and finished {@code scans} scans since the mark.
     */
    synchronized boolean progressed(int workers, long writes, long scans) {
        List<WorkerLog> ready = live().stream().filter(w -> w.ready).toList();
        return ready.size() >= workers
                && ready.stream().allMatch(w -> w.writes - w.writesMark >= writes && w.scans - w.scansMark >= scans);
    }

    @Override
    protected String state() {
        return super.state() + "; hung calls: " + hung + "; scan anomalies: " + scanAnomalies;
    }

    /**
     * Judges the run against {@code finalState}, the map as read after every worker stopped
     * or was killed (see {@link ChaosSummary} for what is counted).
     */
    synchronized ChaosSummary summarize(NavigableMap<String, String> finalState) {
        // Calls in progress in a killed process have an unknown fate.
        for (WorkerLog w : workers) {
            if (w.killed) {
                unknownPuts += w.putPending.size();
                for (long[] pending : w.replacePending.values()) {
                    unknownFrom.get((int) pending[0]).add(pending[1]);
                    unknownIncrements++;
                }
            } else if (!w.putPending.isEmpty() || !w.replacePending.isEmpty()) {
                errors.add(w.name + " stopped with calls whose outcome it did not report");
            }
        }
        List<String> lost = new ArrayList<>();
        List<String> phantoms = new ArrayList<>();
        checkPuts(finalState, lost, phantoms);
        checkCounters(finalState, lost, doubled);

        String first = ChaosWorker.stableKey(0);
        String last = ChaosWorker.stableKey(ChaosWorker.STABLE_KEYS - 1);
        List<String> stable = finalState.subMap(first, true, last, true).entrySet().stream()
                .map(Object::toString).toList();
        String difference = ChaosWorker.Scan.ASCENDING_ENTRIES.difference(stable);
        if (difference != null) {
            scanAnomalies.add("the final state's stable range " + difference);
        }

        List<String> problems = new ArrayList<>();
        problems.addAll(lost.subList(0, Math.min(lost.size(), 20)));
        problems.addAll(phantoms);
        problems.addAll(doubled);
        problems.addAll(scanAnomalies);
        problems.addAll(hung);
        problems.addAll(errors);
        return new ChaosSummary(kills.size(), workers.size(), ackedPuts, ackedIncrements, lost.size(), doubled.size(),
                phantoms.size(), unknownPuts + unknownIncrements, scanTimes.size(), scansAcrossKills(),
                scanAnomalies.size(), unavailableReads, hung.size(), errors.size(), failoverMillis(), problems);
    }

    /**
     * Checks the put keys of {@code finalState}: adds each acknowledged put that is missing to
     * {@code lost}, and each key no process tried to put, or with a value nobody put, to
     * {@code phantoms}.
     */
    private void checkPuts(NavigableMap<String, String> finalState, List<String> lost, List<String> phantoms) {
        Map<String, WorkerLog> byName = new HashMap<>();
        workers.forEach(w -> byName.put(w.name, w));
        Map<WorkerLog, Map<Integer, BitSet>> found = new HashMap<>();
        for (Map.Entry<String, String> e : finalState.tailMap(ChaosWorker.PUT_PREFIX, true).entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(ChaosWorker.PUT_PREFIX)) {
                break;
            }
            String[] parts = key.split("/");
            WorkerLog w = parts.length == 4 ? byName.get(parts[1]) : null;
            int t = w == null ? -1 : Integer.parseInt(parts[2]);
            long seq = w == null ? -1 : Long.parseLong(parts[3]);
            if (w == null || seq < 1 || seq > w.putsTried.getOrDefault(t, 0L)) {
                phantoms.add("the final state holds " + key + ", which no process tried to put");
            } else if (!e.getValue().equals(ChaosWorker.putValue(key))) {
                phantoms.add("the final state holds " + key + "=" + e.getValue() + ", a value no process put");
            } else {
                found.computeIfAbsent(w, x -> new HashMap<>()).computeIfAbsent(t, x -> new BitSet())
                        .set(Math.toIntExact(seq));
            }
        }
        for (WorkerLog w : workers) {
            for (Map.Entry<Integer, BitSet> thread : w.putsAcked.entrySet()) {
                BitSet missing = (BitSet) thread.getValue().clone();
                missing.andNot(found.getOrDefault(w, Map.of()).getOrDefault(thread.getKey(), new BitSet()));
                missing.stream().forEach(seq -> lost.add("the acknowledged put of "
                        + ChaosWorker.putKey(w.name, thread.getKey(), seq) + " is missing"));
            }
        }
    }

    /**
     * Checks the counters of {@code finalState}. A counter at {@code n} went through every value
     * below {@code n} once, and never back, so each step {@code v -> v+1} below {@code n} must have
     * been acknowledged to exactly one caller, or be the step of a replace of unknown fate. An
     * acknowledged step at or above {@code n} is added to {@code lost}; a step acknowledged twice,
     * or taken with no caller told of it (a lost outcome: a write applied twice, or applied but
     * answered "not applied"), to {@code doubled}.
     */
    private void checkCounters(NavigableMap<String, String> finalState, List<String> lost, List<String> doubled) {
        for (int c = 0; c < ChaosWorker.COUNTERS; c++) {
            String key = ChaosWorker.counterKey(c);
            long value = Long.parseLong(finalState.get(key));
            Map<Long, Integer> acked = new HashMap<>();
            for (long from : ackedFrom.get(c)) {
                acked.merge(from, 1, Integer::sum);
            }
            for (Map.Entry<Long, Integer> step : acked.entrySet()) {
                if (step.getKey() >= value) {
                    lost.add(key + " = " + value + ", but its step from " + step.getKey() + " was acknowledged");
                }
                if (step.getValue() > 1) {
                    doubled.add(key + ": the step from " + step.getKey() + " was acknowledged " + step.getValue()
                            + " times");
                }
            }
            for (long from = 0; from < value; from++) {
                if (!acked.containsKey(from) && !unknownFrom.get(c).contains(from)) {
                    doubled.add(key + " = " + value + ": its step from " + from + " was taken, but no caller was "
                            + "told of it and no call of unknown fate explains it");
                }
            }
        }
    }

    /** The failover time of each kill in milliseconds: from just before the SIGKILL to the first acknowledgement of a write issued after it. */
    private double[] failoverMillis() {
        double[] millis = new double[kills.size()];
        for (int k = 0; k < kills.size(); k++) {
            long before = kills.get(k)[0];
            long after = kills.get(k)[1];
            int victim = (int) kills.get(k)[2];
            long first = Long.MAX_VALUE;
            for (int i = 0; i < acks; i++) {
                if (ackWorker[i] != victim && ackStart[i] - after > 0 && ackEnd[i] - before < first) {
                    first = ackEnd[i] - before;
                }
            }
            millis[k] = first == Long.MAX_VALUE ? Double.NaN : first / 1e6;
        }
        return millis;
    }

    /** Returns how many finished scans were in progress in a surviving process when a leader was killed. */
    private long scansAcrossKills() {
        long n = 0;
        for (long[] scan : scanTimes) {
            for (long[] kill : kills) {
                if (scan[2] != kill[2] && scan[0] - kill[0] < 0 && scan[1] - kill[1] > 0) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }
}
