package io.levelparty.tck.party;

import static io.levelparty.tck.party.WorkerChannel.oneLine;
import static io.levelparty.tck.party.WorkerChannel.report;

import io.levelparty.Codecs;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.PartyUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;

/**
 * One process of the failover chaos test ({@link FailoverChaosContract}). It opens the map whose
 * URI is its first argument and, until told to stop, runs three kinds of load at once, each on
 * its own threads:
 * <ul>
 *   <li>put threads write keys of their own, {@code p/<worker>/<thread>/<seq>}, each once, with a
 *       value derived from the key;</li>
 *   <li>counter threads increment the shared counters {@code c/0 …} by reading a counter and
 *       setting it from that value to the next with {@code replace(key, old, new)};</li>
 *   <li>scan threads traverse the stable range {@code s/0000 …}, written once before the workers
 *       start, through sub maps and descending maps with inclusive and exclusive bounds, and
 *       compare each traversal with the range it must return.</li>
 * </ul>
 *
 * <p>It reports every event on standard output, one line each, through its {@link WorkerChannel}:
 * a line is out of the process before the call it announces starts, so a SIGKILL loses no line
 * about a call that may have taken effect. Times are {@link System#nanoTime()}
 * values, which the harness compares with its own (see {@link FailoverChaosContract}).
 * <pre>
 * READY pid role              the map is open; the load threads run
 * LEADER pid nanos            this process leads (at start, or since a re-election)
 * PT t seq                    put thread t is about to put its key number seq
 * PA t seq start end          ... acknowledged, with no previous value
 * PD t seq start end previous ... acknowledged with a previous value: the put was applied twice
 * PU t seq                    ... PartyUnavailableException: its fate is unknown
 * CT t c from                 counter thread t is about to replace counter c's value from by from+1
 * CA t c from start end       ... replace returned true
 * CF t c from start end       ... replace returned false: the counter had moved on
 * CU t c from                 ... PartyUnavailableException: its fate is unknown
 * RU exception                a read of a counter threw PartyUnavailableException
 * SA scan start end           a traversal returned exactly the stable range it covers
 * SX scan start end detail    a traversal returned something else
 * SU scan exception           a traversal threw PartyUnavailableException
 * HUNG thread ms what         a call has run longer than twice the request timeout (once per call)
 * ERROR thread what exception any other failure
 * STOPPED                     after "stop" on standard input, once every load thread has ended
 * CLOSED                      the map is closed; the process exits
 * </pre>
 *
 * <p>Arguments: the map's URI, the worker's name, the request timeout in milliseconds, the numbers
 * of put, counter and scan threads, the calls a second each put, counter and scan thread makes
 * at most (a counter thread's call being a read and a replace), and the open timeout in
 * milliseconds.
 */
public final class ChaosWorker {
    /** Number of keys in the stable range. */
    static final int STABLE_KEYS = 600;
    /** Number of shared counters. */
    static final int COUNTERS = 4;
    /** The prefix of every key the put threads write. */
    static final String PUT_PREFIX = "p/";

    private final PartyMap<String> map;
    private final String name;
    private final long hungNanos;
    private final List<Slot> slots = new ArrayList<>();
    private volatile boolean stopping;

    private ChaosWorker(PartyMap<String> map, String name, Duration requestTimeout) {
        this.map = map;
        this.name = name;
        this.hungNanos = requestTimeout.multipliedBy(2).toNanos();
    }

    /** Returns stable key number {@code i}. */
    static String stableKey(int i) {
        return String.format("s/%04d", i);
    }

    /** Returns the value of stable key {@code key}. */
    static String stableValue(String key) {
        return "stable:" + key;
    }

    /** Returns the key of counter {@code c}. */
    static String counterKey(int c) {
        return "c/" + c;
    }

    /** Returns the key that put thread {@code thread} of {@code worker} writes as its number {@code seq}. */
    static String putKey(String worker, int thread, long seq) {
        return PUT_PREFIX + worker + "/" + thread + "/" + seq;
    }

    /** Returns the value written under put key {@code key}. */
    static String putValue(String key) {
        return "put:" + key;
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        String name = args[1];
        Duration requestTimeout = Duration.ofMillis(Long.parseLong(args[2]));
        int putThreads = Integer.parseInt(args[3]);
        int counterThreads = Integer.parseInt(args[4]);
        int scanThreads = Integer.parseInt(args[5]);
        int putsPerSecond = Integer.parseInt(args[6]);
        int incrementsPerSecond = Integer.parseInt(args[7]);
        int scansPerSecond = Integer.parseInt(args[8]);
        Duration openTimeout = Duration.ofMillis(Long.parseLong(args[9]));

        PartyMap<String> map = WorkerChannel.openAnnouncingLeadership(uri,
                PartyOptions.of(Codecs.utf8()).requestTimeout(requestTimeout).openTimeout(openTimeout));
        ChaosWorker worker = new ChaosWorker(map, name, requestTimeout);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < putThreads; t++) {
            threads.add(worker.thread("put-" + t, putsPerSecond, worker::putLoop, t));
        }
        for (int t = 0; t < counterThreads; t++) {
            threads.add(worker.thread("counter-" + t, incrementsPerSecond, worker::counterLoop, t));
        }
        for (int t = 0; t < scanThreads; t++) {
            threads.add(worker.thread("scan-" + t, scansPerSecond, worker::scanLoop, t));
        }
        WorkerChannel.runUntilStopped(map, threads, worker::watch, () -> worker.stopping = true,
                requestTimeout.multipliedBy(3));
        report("STOPPED");
        map.close();
        report("CLOSED");
        System.exit(0);
    }

    private Thread thread(String threadName, int perSecond, ObjIntConsumer<Slot> loop, int index) {
        Slot slot = new Slot(threadName, perSecond);
        slots.add(slot);
        Thread thread = new Thread(() -> {
            try {
                loop.accept(slot, index);
            } catch (RuntimeException | Error e) {
                report("ERROR " + threadName + " loop " + oneLine(e));
            }
        }, name + "-" + threadName);
        thread.setDaemon(true);
        return thread;
    }

    private void putLoop(Slot slot, int t) {
        for (long seq = 1; !stopping; seq++) {
            slot.pace();
            String key = putKey(name, t, seq);
            report("PT " + t + " " + seq);
            long start = slot.begin("put " + key);
            try {
                String previous = map.put(key, putValue(key));
                long end = slot.end();
                report((previous == null ? "PA " : "PD ") + t + " " + seq + " " + start + " " + end
                        + (previous == null ? "" : " " + previous));
            } catch (PartyUnavailableException e) {
                slot.end();
                report("PU " + t + " " + seq);
            } catch (RuntimeException e) {
                slot.end();
                report("ERROR " + slot.thread + " put " + key + " " + oneLine(e));
            }
        }
    }

    private void counterLoop(Slot slot, int t) {
        while (!stopping) {
            slot.pace();
            int c = ThreadLocalRandom.current().nextInt(COUNTERS);
            String key = counterKey(c);
            String current;
            slot.begin("get " + key);
            try {
                current = map.get(key);
                slot.end();
            } catch (PartyUnavailableException e) {
                slot.end();
                report("RU " + oneLine(e));
                continue;
            } catch (RuntimeException e) {
                slot.end();
                report("ERROR " + slot.thread + " get " + key + " " + oneLine(e));
                continue;
            }
            long from = Long.parseLong(current);
            report("CT " + t + " " + c + " " + from);
            long start = slot.begin("replace " + key + " " + from);
            try {
                boolean replaced = map.replace(key, current, Long.toString(from + 1));
                long end = slot.end();
                report((replaced ? "CA " : "CF ") + t + " " + c + " " + from + " " + start + " " + end);
            } catch (PartyUnavailableException e) {
                slot.end();
                report("CU " + t + " " + c + " " + from);
            } catch (RuntimeException e) {
                slot.end();
                report("ERROR " + slot.thread + " replace " + key + " " + oneLine(e));
            }
        }
    }

    private void scanLoop(Slot slot, int t) {
        Scan[] scans = Scan.values();
        for (int i = t; !stopping; i++) {
            slot.pace();
            Scan scan = scans[i % scans.length];
            long start = slot.begin("scan " + scan);
            try {
                List<String> seen = new ArrayList<>();
                Iterator<?> it = scan.open(map);
                // One more than expected at most: enough to see an extra entry, and bounded if the iterator never ends.
                while (it.hasNext() && seen.size() <= scan.expected.size()) {
                    seen.add(String.valueOf(it.next()));
                }
                long end = slot.end();
                String difference = scan.difference(seen);
                report(difference == null ? "SA " + scan + " " + start + " " + end
                        : "SX " + scan + " " + start + " " + end + " " + difference);
            } catch (PartyUnavailableException e) {
                slot.end();
                report("SU " + scan + " " + oneLine(e));
            } catch (RuntimeException e) {
                slot.end();
                report("ERROR " + slot.thread + " scan " + scan + " " + oneLine(e));
            }
        }
    }

    /** Reports each call that has run longer than twice the request timeout, once. */
    private void watch() {
        long now = System.nanoTime();
        for (Slot slot : slots) {
            Call call = slot.current;
            if (call != null && now - call.started > hungNanos && slot.reported != call) {
                slot.reported = call;
                report("HUNG " + slot.thread + " " + TimeUnit.NANOSECONDS.toMillis(now - call.started) + " "
                        + call.what);
            }
        }
    }

    /** One call a load thread has in progress, for the watchdog. */
    private record Call(String what, long started) {}

    /** What one load thread is doing, and its pace. */
    private static final class Slot {
        final String thread;
        private final Pacer pacer;
        volatile Call current;
        /** The call last reported as hung; used by the watchdog only. */
        Call reported;

        Slot(String thread, int perSecond) {
            this.thread = thread;
            this.pacer = new Pacer(perSecond);
        }

        /** Waits for the thread's next turn (see {@link Pacer}). */
        void pace() {
            pacer.await();
        }

        long begin(String what) {
            long now = System.nanoTime();
            current = new Call(what, now);
            return now;
        }

        long end() {
            current = null;
            return System.nanoTime();
        }
    }

    /** What a traversal returns: entries as {@code key=value}, keys, or values. */
    private enum Content {
        ENTRIES, KEYS, VALUES
    }

    /** The traversals of the stable range the scan threads take turns at. */
    enum Scan {
        ASCENDING_ENTRIES(Content.ENTRIES, 0, STABLE_KEYS - 1, false,
                m -> m.subMap(first(), true, last(), true).entrySet().iterator()),
        DESCENDING_ENTRIES(Content.ENTRIES, 0, STABLE_KEYS - 1, true,
                m -> m.subMap(first(), true, last(), true).descendingMap().entrySet().iterator()),
        DESCENDING_MAP_KEYS(Content.KEYS, 0, STABLE_KEYS - 1, true,
                m -> m.descendingMap().subMap(last(), true, first(), true).keySet().iterator()),
        OUTER_BOUNDS_KEYS(Content.KEYS, 0, STABLE_KEYS - 1, false,
                m -> m.subMap("s/", false, "s0", false).keySet().iterator()),
        EXCLUSIVE_VALUES(Content.VALUES, 1, STABLE_KEYS - 2, false,
                m -> m.subMap(first(), false, last(), false).values().iterator()),
        EXCLUSIVE_DESCENDING_ENTRIES(Content.ENTRIES, 1, STABLE_KEYS - 2, true,
                m -> m.descendingMap().subMap(last(), false, first(), false).entrySet().iterator()),
        DESCENDING_KEY_SET(Content.KEYS, 0, STABLE_KEYS - 1, true,
                m -> m.subMap(first(), true, last(), true).descendingKeySet().iterator()),
        TAIL_HEAD_DESCENDING_ITERATOR(Content.KEYS, 1, STABLE_KEYS - 1, true,
                m -> m.tailMap(first(), false).headMap(last(), true).navigableKeySet().descendingIterator());

        private final Function<PartyMap<String>, Iterator<?>> opener;
        final List<String> expected;

        Scan(Content content, int low, int high, boolean descending, Function<PartyMap<String>, Iterator<?>> opener) {
            this.opener = opener;
            List<String> expected = new ArrayList<>();
            for (int n = 0; n <= high - low; n++) {
                String key = stableKey(descending ? high - n : low + n);
                expected.add(switch (content) {
                    case ENTRIES -> Map.entry(key, stableValue(key)).toString();
                    case KEYS -> key;
                    case VALUES -> stableValue(key);
                });
            }
            this.expected = List.copyOf(expected);
        }

        private static String first() {
            return stableKey(0);
        }

        private static String last() {
            return stableKey(STABLE_KEYS - 1);
        }

        Iterator<?> open(PartyMap<String> map) {
            return opener.apply(map);
        }

        /** Returns how {@code seen} differs from what this traversal must return, or null. */
        String difference(List<String> seen) {
            if (seen.equals(expected)) {
                return null;
            }
            int i = 0;
            while (i < seen.size() && i < expected.size() && seen.get(i).equals(expected.get(i))) {
                i++;
            }
            return "returned " + seen.size() + " items instead of " + expected.size() + "; item " + i + " is "
                    + (i < seen.size() ? seen.get(i) : "missing") + " instead of "
                    + (i < expected.size() ? expected.get(i) : "nothing");
        }
    }
}
