package io.levelparty.tck.party;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Change;
import io.levelparty.PartyMap;
import io.levelparty.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.zip.CRC32;

/**
 * The calls of {@link InterruptContract}, made in a {@link PartyChild} on the keys under one
 * prefix, which only this process writes: every call is made by an interrupted thread, and its
 * result is compared with a model of those keys kept in this process.
 *
 * <p>Calls take turns between three ways of interrupting: the flag is set before the call; another
 * thread (the {@link Interrupter}) interrupts the caller again and again, at random moments, while
 * the call runs; or both. After each call the caller's interrupt flag must be set whenever an
 * interrupt was delivered, which is always so in the first and third way, and in the second once
 * the interrupter has delivered one (it delivers none after the call has returned and it was
 * stopped, so the check cannot blame a call for a later interrupt).
 */
final class InterruptedCalls {
    /** How many keys each group of point keys holds. */
    static final int POINT_KEYS = 8;
    /** How many keys the iterated range holds: enough for several pages of an iterator. */
    static final int RANGE_KEYS = 600;
    /** The groups of point keys, written at set-up: the keys another process should cache. */
    private static final List<String> POINT_GROUPS = List.of("get", "put", "remove", "counter", "slot", "subscribe");
    private static final String RANGE_GROUP = "iterate";
    /** Longest random pause of the interrupter between two interrupts. */
    private static final long MAX_INTERRUPT_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(300);
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(60);

    private final PartyMap<String> map;
    private final String prefix;
    /** What the keys under the prefix hold, after every call acknowledged so far. */
    private final NavigableMap<String, String> model = new TreeMap<>();
    private final Random random = new Random();
    private long lastValue;
    /** Increments of the counters acknowledged so far. */
    private long increments;
    private long calls;
    private long interruptedBefore;
    private long interruptedDuring;
    /** Set by a function that runs inside a call and interrupts its thread. */
    private boolean interruptedInside;

    InterruptedCalls(PartyMap<String> map, String prefix) {
        this.map = map;
        this.prefix = prefix;
    }

    /** Returns the point keys under {@code prefix}: the keys whose values a follower may cache. */
    static List<String> pointKeys(String prefix) {
        List<String> keys = new ArrayList<>();
        for (String group : POINT_GROUPS) {
            for (int i = 0; i < POINT_KEYS; i++) {
                keys.add(key(prefix, group, i));
            }
        }
        return keys;
    }

    private static String key(String prefix, String group, int i) {
        return String.format("%s%s/%03d", prefix, group, i);
    }

    /** Returns the first key after every key that starts with {@code prefix}, which must be non-empty. */
    private static String end(String prefix) {
        int last = prefix.length() - 1;
        return prefix.substring(0, last) + (char) (prefix.charAt(last) + 1);
    }

    /** Writes the initial entries, uninterrupted: every point key (counters at 0) and the iterated range. */
    void setUp() {
        PartyMap.Batch<String> batch = map.batch();
        for (String key : pointKeys(prefix)) {
            model.put(key, key.startsWith(prefix + "counter/") ? "0" : nextValue());
        }
        for (int i = 0; i < RANGE_KEYS; i++) {
            model.put(key(prefix, RANGE_GROUP, i), nextValue());
        }
        model.forEach(batch::put);
        batch.apply();
    }

    /** Returns the entries under the prefix in the model ({@code true}) or in the map, as "DIGEST size crc". */
    String digest(boolean ofModel) {
        return digestOf(ofModel ? model : map.subMap(prefix, end(prefix)));
    }

    /** Returns {@code entries} as "DIGEST size crc", the same for equal entries in the same order. */
    static String digestOf(Map<String, String> entries) {
        CRC32 crc = new CRC32();
        int size = 0;
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            crc.update((entry.getKey() + '=' + entry.getValue() + '\n').getBytes(StandardCharsets.UTF_8));
            size++;
        }
        return "DIGEST " + size + " " + Long.toHexString(crc.getValue());
    }

    /**
     * Makes {@code count} interrupted calls of {@code operation}, then checks the map against the
     * model, uninterrupted; returns "OK" and counts, or "ERROR" and the first failure, on one line.
     */
    String run(InterruptContract.Operation operation, int count) {
        calls = 0;
        interruptedBefore = 0;
        interruptedDuring = 0;
        try (Interrupter interrupter = new Interrupter()) {
            switch (operation) {
                case GET -> gets(interrupter, count);
                case PUT -> puts(interrupter, count);
                case REMOVE -> removes(interrupter, count);
                case CAS -> compareAndSets(interrupter, count);
                case ITERATE -> iterations(interrupter, count);
                case SUBSCRIBE -> subscription(interrupter, count);
            }
            Thread.interrupted();
            assertEquals(model, new TreeMap<>(map.subMap(prefix, end(prefix))),
                    "the map, read uninterrupted after the calls, holds what the acknowledged calls wrote");
            long counted = 0;
            for (String value : model.subMap(prefix + "counter/", end(prefix + "counter/")).values()) {
                counted += Long.parseLong(value);
            }
            assertEquals(increments, counted, "the counters count every acknowledged increment exactly once");
            return "OK " + operation + " calls " + calls + ", flag set before " + interruptedBefore
                    + ", interrupted during " + interruptedDuring;
        } catch (AssertionError | RuntimeException e) {
            return "ERROR " + operation + " after " + calls + " calls: " + WorkerChannel.oneLine(e);
        } finally {
            Thread.interrupted();
        }
    }

    private void gets(Interrupter interrupter, int count) {
        for (int i = 0; i < count; i++) {
            String key = i % 8 == 7 ? prefix + "get/absent" : pointKey("get");
            assertEquals(model.get(key), call(interrupter, "get(" + key + ")", () -> map.get(key)),
                    "get(" + key + ") on an interrupted thread");
        }
    }

    private void puts(Interrupter interrupter, int count) {
        for (int i = 0; i < count; i++) {
            put(interrupter, pointKey("put"));
        }
    }

    private void put(Interrupter interrupter, String key) {
        String value = nextValue();
        String previous = call(interrupter, "put(" + key + ")", () -> map.put(key, value));
        assertEquals(model.put(key, value), previous, "put(" + key + ") on an interrupted thread returns the previous value");
    }

    private void removes(Interrupter interrupter, int count) {
        for (int i = 0; i < count; i++) {
            String key = pointKey("remove");
            if (model.containsKey(key)) {
                String removed = call(interrupter, "remove(" + key + ")", () -> map.remove(key));
                assertEquals(model.remove(key), removed, "remove(" + key + ") on an interrupted thread");
            } else if (i % 2 == 0) {
                assertEquals(null, call(interrupter, "remove(" + key + ")", () -> map.remove(key)),
                        "remove(" + key + ") of an absent key on an interrupted thread");
            } else {
                put(interrupter, key);
            }
        }
    }

    /** Counters go up by one with merge, compute and replace; slots see putIfAbsent, remove and replace. */
    private void compareAndSets(Interrupter interrupter, int count) {
        for (int i = 0; i < count; i++) {
            String counter = pointKey("counter");
            String slot = pointKey("slot");
            String current = model.get(slot);
            String value = nextValue();
            switch (i % 6) {
                case 0 -> increment(counter, call(interrupter, "merge(" + counter + ")",
                        () -> map.merge(counter, "1", (a, b) -> Long.toString(Long.parseLong(a) + Long.parseLong(b)))));
                case 1 -> increment(counter, call(interrupter, "compute(" + counter + ")",
                        () -> map.compute(counter, (k, v) -> {
                            Thread.currentThread().interrupt(); // interrupted inside the call, by the caller
                            interruptedInside = true;
                            return Long.toString(Long.parseLong(v) + 1);
                        })));
                case 2 -> {
                    String old = model.get(counter);
                    String next = Long.toString(Long.parseLong(old) + 1);
                    assertTrue(call(interrupter, "replace(" + counter + ", " + old + ", " + next + ")",
                            () -> map.replace(counter, old, next)), "replace of the current value succeeds");
                    increment(counter, next);
                }
                case 3 -> {
                    assertEquals(current, call(interrupter, "putIfAbsent(" + slot + ")",
                            () -> map.putIfAbsent(slot, value)), "putIfAbsent(" + slot + ") on an interrupted thread");
                    model.putIfAbsent(slot, value);
                }
                case 4 -> {
                    String expected = current == null ? "never-written" : current;
                    assertEquals(current != null, call(interrupter, "remove(" + slot + ", " + expected + ")",
                            () -> map.remove(slot, expected)), "remove(key, value) on an interrupted thread");
                    model.remove(slot);
                }
                default -> assertFalse(call(interrupter, "replace(" + slot + ", wrong, " + value + ")",
                        () -> map.replace(slot, "never-written", value)), "replace of a wrong value fails");
            }
        }
    }

    private void increment(String counter, String result) {
        String expected = Long.toString(Long.parseLong(model.get(counter)) + 1);
        assertEquals(expected, result, "the new value of " + counter);
        model.put(counter, expected);
        increments++;
    }

    /**
     * Iterates the range, one call per {@code iterator()}, {@code hasNext()} and {@code next()},
     * through a sub map, its descending map, and the whole map's entry set (whose other keys are
     * skipped), with a put and a remove between iterations; {@code count / 25} iterations, at least 3.
     */
    private void iterations(Interrupter interrupter, int count) {
        String from = prefix + RANGE_GROUP + "/";
        String to = end(from);
        for (int i = 0; i < Math.max(3, count / 25); i++) {
            NavigableMap<String, String> expected = model.subMap(from, true, to, false);
            List<String> seen = new ArrayList<>();
            String view;
            Iterator<Map.Entry<String, String>> iterator;
            switch (i % 3) {
                case 0 -> {
                    view = "subMap(" + from + ", " + to + ").entrySet()";
                    iterator = call(interrupter, view + ".iterator()", () -> map.subMap(from, true, to, false).entrySet().iterator());
                }
                case 1 -> {
                    view = "subMap(" + from + ", " + to + ").descendingMap().entrySet()";
                    expected = expected.descendingMap();
                    iterator = call(interrupter, view + ".iterator()",
                            () -> map.subMap(from, true, to, false).descendingMap().entrySet().iterator());
                }
                default -> {
                    view = "entrySet()";
                    iterator = call(interrupter, view + ".iterator()", () -> map.entrySet().iterator());
                }
            }
            while (call(interrupter, view + " hasNext()", iterator::hasNext)) {
                Map.Entry<String, String> entry = call(interrupter, view + " next()", iterator::next);
                if (entry.getKey().startsWith(from)) {
                    seen.add(entry.getKey() + "=" + entry.getValue());
                }
            }
            List<String> wanted = new ArrayList<>();
            expected.forEach((k, v) -> wanted.add(k + "=" + v));
            assertEquals(wanted, seen, view + " iterated on an interrupted thread");
            put(interrupter, key(prefix, RANGE_GROUP, random.nextInt(RANGE_KEYS)));
            String gone = key(prefix, RANGE_GROUP, random.nextInt(RANGE_KEYS));
            assertEquals(model.remove(gone), call(interrupter, "remove(" + gone + ")", () -> map.remove(gone)),
                    "remove(" + gone + ") on an interrupted thread");
        }
    }

    /**
     * Subscribes to the subscription keys on an interrupted thread, then puts {@code count} values
     * there; the listener interrupts its own thread, reads the key it is told of, which must hold
     * that value or a later one, and returns with the flag still set. Every put must be delivered,
     * once and in order, and no gap; changes committed before the subscription are ignored.
     */
    private void subscription(Interrupter interrupter, int count) {
        String from = prefix + "subscribe/";
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(count);
        long first = lastValue + 1; // a value before it was written before the subscription, and may or may not come
        Subscription subscription = call(interrupter, "subscribe(" + from + ")",
                () -> map.subscribe(from, true, end(from), false, change -> {
                    if (change instanceof Change.Put<String> put && Long.parseLong(put.value().substring(1)) < first) {
                        return;
                    }
                    if (change instanceof Change.Put<String> put) {
                        Thread.currentThread().interrupt();
                        String now = map.get(put.key());
                        if (!Thread.currentThread().isInterrupted()) {
                            problems.add("get(" + put.key() + ") in a listener cleared the interrupt flag");
                        }
                        if (now == null || Long.parseLong(now.substring(1)) < Long.parseLong(put.value().substring(1))) {
                            problems.add("get(" + put.key() + ") in a listener told of " + put.value() + " returned " + now);
                        }
                        delivered.add(put.key() + "=" + put.value());
                        all.countDown();
                    } else {
                        problems.add("unexpected " + change);
                    }
                }));
        List<String> written = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = pointKey("subscribe");
            put(interrupter, key);
            written.add(key + "=" + model.get(key));
        }
        Thread.interrupted();
        boolean complete;
        try {
            complete = all.await(DELIVERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw new AssertionError("interrupted waiting for deliveries", e);
        }
        assertTrue(complete, "only " + delivered.size() + " of " + count + " puts were delivered within " + DELIVERY_TIMEOUT);
        assertEquals(written, delivered, "the listener got every put, once and in order");
        assertEquals(List.of(), problems, "what the listener saw");
        call(interrupter, "Subscription.close()", () -> {
            subscription.close();
            return null;
        });
    }

    private String pointKey(String group) {
        return key(prefix, group, random.nextInt(POINT_KEYS));
    }

    /** Returns a value never returned before: "v" and a number that grows. */
    private String nextValue() {
        return "v" + ++lastValue;
    }

    /**
     * Makes {@code call} interrupted in this call's turn of the three ways, and returns its result.
     *
     * @throws AssertionError if it throws, or returns with the interrupt flag cleared although an
     *     interrupt was delivered
     */
    private <T> T call(Interrupter interrupter, String what, Supplier<T> call) {
        Thread.interrupted();
        long way = calls++ % 3; // 0: flag set before; 1: interrupts during; 2: both
        if (way != 1) {
            interruptedBefore++;
            Thread.currentThread().interrupt();
        }
        if (way != 0) {
            interrupter.aimAt(Thread.currentThread());
        }
        interruptedInside = false;
        int delivered = 0;
        T result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            throw new AssertionError(what + " on an interrupted thread threw " + e, e);
        } finally {
            if (way != 0) {
                delivered = interrupter.stop();
            }
        }
        if (delivered > 0) {
            interruptedDuring++;
        }
        boolean interrupted = Thread.interrupted();
        if ((way != 1 || delivered > 0 || interruptedInside) && !interrupted) {
            throw new AssertionError(what + " returned with its thread's interrupt flag cleared ("
                    + (way == 0 ? "set before the call" : delivered + " interrupts delivered during it") + ")");
        }
        return result;
    }

    /**
     * A daemon thread that, while aimed at a thread, interrupts it again and again after random
     * pauses of up to {@link #MAX_INTERRUPT_PAUSE_NANOS}. It interrupts only while it holds its
     * lock and is aimed, so once {@link #stop()} returns it interrupts no more.
     */
    private static final class Interrupter implements AutoCloseable {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition aimed = lock.newCondition();
        private final Thread thread = new Thread(this::run, "interrupter");
        private Thread target;
        private int delivered;
        private boolean closed;

        Interrupter() {
            thread.setDaemon(true);
            thread.start();
        }

        void aimAt(Thread caller) {
            aim(caller, false);
        }

        /** Stops interrupting and returns how many interrupts were delivered since {@link #aimAt}. */
        int stop() {
            return aim(null, false);
        }

        @Override
        public void close() {
            aim(null, true);
        }

        /** Aims at {@code caller} (null: at nobody), ends the thread if {@code close}; returns the interrupts delivered. */
        private int aim(Thread caller, boolean close) {
            lock.lock();
            try {
                int count = delivered;
                target = caller;
                delivered = 0;
                closed |= close;
                aimed.signal();
                return count;
            } finally {
                lock.unlock();
            }
        }

        private void run() {
            lock.lock();
            try {
                while (!closed) {
                    if (target == null) {
                        aimed.awaitUninterruptibly();
                        continue;
                    }
                    lock.unlock();
                    try {
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(MAX_INTERRUPT_PAUSE_NANOS));
                    } finally {
                        lock.lock();
                    }
                    if (target != null) {
                        target.interrupt();
                        delivered++;
                    }
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
