package io.levelparty.tck.party;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The verdict of a stale-read run ({@link StaleReadContract}) on its history: every write, with
 * its value and its outcome, and every read that returned, each with the times it started and
 * ended. It is pure logic, on {@link System#nanoTime()} values from every process (see
 * {@link StaleReadContract} for why they are comparable), and every value written to a key must
 * be unique to its write.
 *
 * <p>A read {@code r} of key {@code k} that returned
 * <ul>
 *   <li>a value {@code v} is <b>never written</b> unless a write {@code w1} of {@code v} to
 *       {@code k} started before {@code r} ended; and it is <b>stale</b> if an acknowledged write
 *       {@code w2} to {@code k} started after {@code w1} ended and ended before {@code r} started:
 *       then {@code w2} certainly overwrote {@code v} before {@code r} began;</li>
 *   <li>{@code null} (the key was absent) is <b>stale</b> if an acknowledged write to {@code k}
 *       ended before {@code r} started. Keys are never removed in the run.</li>
 * </ul>
 * A write that was not acknowledged (its call threw, or its process died before it returned) may
 * have taken effect, at any time after it started: its value may be read, and it never proves a
 * read stale, neither as {@code w2} nor as the {@code w1} that {@code w2} must follow. Reads that
 * overlap the writes they could observe are never flagged: a read may take effect at any instant
 * between its start and its end.
 *
 * <p>Checking a read takes time logarithmic in the writes to its key: for each key, the
 * acknowledged writes are sorted by end, with the latest start among those ending up to each one,
 * so the latest start of an acknowledged write ended before {@code r} is one binary search away,
 * and {@code r} is stale exactly when that start is after {@code w1}'s end.
 *
 * <p>Not thread-safe.
 */
final class StaleReadChecker {
    /** How many stale and never-written reads are described, each, in {@link #examples()}. */
    static final int EXAMPLES = 5;

    /**
     * One write: {@code value} put under {@code key} by {@code process}, started and ended at
     * these {@code nanoTime} values; {@code acknowledged} if the call returned normally. A write
     * that was not acknowledged may take effect at any time after it started, whatever its end.
     */
    record Write(String process, String key, String value, long start, long end, boolean acknowledged) {
        @Override
        public String toString() {
            return process + "'s write of " + value + " to " + key + " [" + start + ", "
                    + (acknowledged ? end + "]" : "?) (not acknowledged)");
        }
    }

    /** One read that returned: {@code value} (null: absent) read from {@code key} by {@code process}. */
    record Read(String process, String key, String value, long start, long end) {
        @Override
        public String toString() {
            return process + "'s read of " + key + " [" + start + ", " + end + "] returning " + value;
        }
    }

    private final Map<String, KeyHistory> keys = new HashMap<>();
    private long readsChecked;
    private long staleReads;
    private long neverWritten;
    private final List<String> staleExamples = new ArrayList<>();
    private final List<String> neverWrittenExamples = new ArrayList<>();

    /**
     * Returns a checker of reads against {@code writes}, all the writes of the run.
     *
     * @throws IllegalArgumentException if two writes put the same value under one key
     */
    StaleReadChecker(Collection<Write> writes) {
        Map<String, List<Write>> byKey = new HashMap<>();
        for (Write w : writes) {
            byKey.computeIfAbsent(w.key(), k -> new ArrayList<>()).add(w);
        }
        byKey.forEach((key, list) -> keys.put(key, new KeyHistory(list)));
    }

    /** Checks {@code read} against the writes and counts it. */
    void check(Read read) {
        readsChecked++;
        KeyHistory history = keys.get(read.key());
        if (read.value() == null) {
            Write first = history == null ? null : history.firstAcknowledged();
            if (first != null && first.end() < read.start()) {
                stale(read + ", but " + first + " ended before it began");
            }
            return;
        }
        Write w1 = history == null ? null : history.byValue.get(read.value());
        if (w1 == null || w1.start() >= read.end()) {
            neverWritten++;
            if (neverWrittenExamples.size() < EXAMPLES) {
                neverWrittenExamples.add(read + ", a value "
                        + (w1 == null ? "never written to " + read.key() : "whose " + w1 + " started after it ended"));
            }
            return;
        }
        if (!w1.acknowledged()) {
            return;
        }
        Write w2 = history.latestStartingAcknowledgedEndedBefore(read.start());
        if (w2 != null && w2.start() > w1.end()) {
            stale(read + ", but " + w2 + " overwrote " + w1 + " before it began");
        }
    }

    private void stale(String description) {
        staleReads++;
        if (staleExamples.size() < EXAMPLES) {
            staleExamples.add(description);
        }
    }

    /** Returns how many reads were checked. */
    long readsChecked() {
        return readsChecked;
    }

    /** Returns how many reads returned a value that had certainly been overwritten before they began. */
    long staleReads() {
        return staleReads;
    }

    /** Returns how many reads returned a value no write of their key had put by the time they ended. */
    long neverWritten() {
        return neverWritten;
    }

    /** Returns descriptions of the first few stale reads, then of the first few reads of values never written. */
    List<String> examples() {
        List<String> examples = new ArrayList<>(staleExamples);
        examples.addAll(neverWrittenExamples);
        return examples;
    }

    /** The writes to one key, indexed for the checks. */
    private static final class KeyHistory {
        final Map<String, Write> byValue = new HashMap<>();
        /** The acknowledged writes, by end. */
        private final Write[] acknowledged;
        private final long[] ends;
        /** For each i, the index in acknowledged of the write with the latest start among 0 … i. */
        private final int[] latestStartUpTo;

        KeyHistory(List<Write> writes) {
            for (Write w : writes) {
                if (byValue.put(w.value(), w) != null) {
                    throw new IllegalArgumentException("two writes put " + w.value() + " under " + w.key()
                            + ": the checker needs every value to be unique to its write");
                }
            }
            acknowledged = writes.stream().filter(Write::acknowledged).sorted(Comparator.comparingLong(Write::end))
                    .toArray(Write[]::new);
            ends = Arrays.stream(acknowledged).mapToLong(Write::end).toArray();
            latestStartUpTo = new int[acknowledged.length];
            for (int i = 0; i < acknowledged.length; i++) {
                latestStartUpTo[i] = i > 0 && acknowledged[latestStartUpTo[i - 1]].start() >= acknowledged[i].start()
                        ? latestStartUpTo[i - 1] : i;
            }
        }

        /** Returns the acknowledged write that ended first, or null. */
        Write firstAcknowledged() {
            return acknowledged.length == 0 ? null : acknowledged[0];
        }

        /** Returns, of the acknowledged writes that ended before {@code nanos}, the one that started last, or null. */
        Write latestStartingAcknowledgedEndedBefore(long nanos) {
            int i = Arrays.binarySearch(ends, nanos);
            // The number of ends before nanos: below an exact match (ends may repeat), or the insertion point.
            int before = i >= 0 ? firstIndexOf(nanos, i) : -i - 1;
            return before == 0 ? null : acknowledged[latestStartUpTo[before - 1]];
        }

        private int firstIndexOf(long end, int found) {
            int i = found;
            while (i > 0 && ends[i - 1] == end) {
                i--;
            }
            return i;
        }
    }
}
