package io.levelparty.tck.party;

import io.levelparty.tck.party.StaleReadChecker.Read;
import io.levelparty.tck.party.StaleReadChecker.Write;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the history of a stale-read run ({@link StaleReadContract}) is linearizable, key by key:
 * whether every key behaves as one register, each of whose writes and reads takes effect at one
 * instant between its start and its end. Every value written to a key must be unique to its
 * write, so each read names the one write it observed, and the check takes time
 * {@code O(n log n)} in the operations (Gibbons and Korach showed that such a "read-mapping"
 * history of a register can be checked in polynomial time, although linearizability is NP-hard
 * in general; the rule below is the one of Golab, Li and Shah, <i>Analyzing consistency
 * properties for fun and profit</i>, PODC 2011).
 *
 * <h2>The rule</h2>
 * The <b>cluster</b> of a value {@code v} of a key is the write of {@code v} and every read that
 * returned {@code v}. In any legal order of the key's operations, the cluster's operations form
 * a run with no other write in it, starting with the write; so the runs of two values never
 * interleave. Let {@code f(v)} be the earliest end of an operation of the cluster, and
 * {@code s(v)} the latest start. Since every operation takes effect between its start and its
 * end, the run of {@code v} begins at or before {@code f(v)} and ends at or after {@code s(v)}.
 * Two values {@code v} and {@code u} therefore <b>conflict</b>, and the history is not
 * linearizable, if
 * <pre>
 *   f(v) &lt; s(u)  and  f(u) &lt; s(v)
 * </pre>
 * (neither run can come wholly before the other). When {@code f(v) < s(v)}, {@code v} must be the
 * register's value from {@code f(v)} to {@code s(v)} (a "forward zone"); otherwise all of the
 * cluster may take effect at one instant (a "backward zone"). Two backward zones never conflict;
 * two forward zones conflict when they overlap; a backward zone conflicts with a forward zone that
 * holds it strictly inside. Besides, a read of {@code v} that ended before the write of {@code v}
 * started, or a read of a value no write put under its key, is a violation on its own. Together
 * these conditions are exact: a history without any of them is linearizable.
 *
 * <p>Some consequences, which are what a stale cache breaks: a read returns neither a value
 * overwritten (by a write that started after the value's write ended) before the read began, nor
 * an older value than a read that ended before it began, in whichever process; and no read
 * returns a value whose write started after the read ended.
 *
 * <p><b>Edge cases.</b> Comparisons are strict: operations whose times are equal may take effect
 * in either order, so ties never make a violation. A write that was not acknowledged (it threw,
 * or its process died with it in flight) may take effect at any time after it started, or
 * never: it counts as a write that ends at the end of time, so it never conflicts with anything
 * unless it was read. A read that threw is not checked: it has no effect. Reads that returned
 * {@code null} (the key was absent) form the cluster of the initial value, whose "write" ended
 * before everything: keys are never removed in the run.
 *
 * <p>The count of {@link #violations()} is the number of values that conflict with another, plus
 * the reads that are violations on their own.
 *
 * <p>Not thread-safe. Memory is linear in the writes: reads are folded into their cluster as
 * they are {@linkplain #add added}.
 */
final class LinearizabilityChecker {
    /** How many violations are described in {@link #examples()}. */
    static final int EXAMPLES = 5;

    private final Map<String, Map<String, Cluster>> keys = new HashMap<>();
    private final Map<String, Cluster> absences = new HashMap<>();
    private long reads;
    private long violations;
    private final List<String> examples = new ArrayList<>();
    private boolean checked;

    /**
     * Returns a checker of the history made of {@code writes}, all the writes of the run, and the
     * reads {@linkplain #add added} next.
     *
     * @throws IllegalArgumentException if two writes put the same value under one key
     */
    LinearizabilityChecker(Collection<Write> writes) {
        for (Write w : writes) {
            Cluster c = new Cluster(w.key(), w.value(), w);
            if (keys.computeIfAbsent(w.key(), k -> new HashMap<>()).put(w.value(), c) != null) {
                throw new IllegalArgumentException("two writes put " + w.value() + " under " + w.key()
                        + ": the checker needs every value to be unique to its write");
            }
        }
    }

    /** Adds a read that returned to the history; call it for every read before {@link #violations()}. */
    void add(Read read) {
        if (checked) {
            throw new IllegalStateException("the history was checked already");
        }
        reads++;
        if (read.value() == null) {
            absences.computeIfAbsent(read.key(), k -> new Cluster(k, null, null)).add(read);
            return;
        }
        Map<String, Cluster> values = keys.get(read.key());
        Cluster c = values == null ? null : values.get(read.value());
        if (c == null) {
            violation(read + ", a value never written to " + read.key());
        } else if (read.end() < c.write.start()) {
            violation(read + ", which ended before " + c.write + " started");
        } else {
            c.add(read);
        }
    }

    /** Returns how many reads were added. */
    long reads() {
        return reads;
    }

    /**
     * Checks the history, once, and returns how many violations it holds: values that conflict
     * with another, and reads of a value never written or not written yet.
     */
    long violations() {
        if (!checked) {
            checked = true;
            keys.forEach((key, values) -> {
                List<Cluster> clusters = new ArrayList<>(values.values());
                Cluster absent = absences.remove(key);
                if (absent != null) {
                    clusters.add(absent);
                }
                sweep(clusters);
            });
            absences.values().forEach(absent -> sweep(List.of(absent))); // keys never written: nothing to conflict
        }
        return violations;
    }

    /** Returns descriptions of the first few violations; call it after {@link #violations()}. */
    List<String> examples() {
        return List.copyOf(examples);
    }

    /**
     * Counts the clusters of one key that conflict with another. With the clusters sorted by
     * {@code f}, those with {@code f(u) < s(v)} are a prefix; {@code v} conflicts with one of them
     * exactly when the largest {@code s(u)} in the prefix, {@code v}'s own left out, exceeds
     * {@code f(v)}. So the two largest {@code s} of every prefix are all it takes.
     */
    private void sweep(List<Cluster> clusters) {
        Cluster[] byF = clusters.toArray(Cluster[]::new);
        Arrays.sort(byF, Comparator.comparingLong(c -> c.f));
        long[] fs = Arrays.stream(byF).mapToLong(c -> c.f).toArray();
        int n = byF.length;
        int[] first = new int[n];
        int[] second = new int[n]; // -1: none
        for (int i = 0; i < n; i++) {
            int a = i > 0 ? first[i - 1] : -1;
            int b = i > 0 ? second[i - 1] : -1;
            if (a < 0 || byF[i].s > byF[a].s) {
                b = a;
                a = i;
            } else if (b < 0 || byF[i].s > byF[b].s) {
                b = i;
            }
            first[i] = a;
            second[i] = b;
        }
        for (int i = 0; i < n; i++) {
            Cluster v = byF[i];
            int prefix = lowerBound(fs, v.s); // the clusters with f < s(v)
            if (prefix == 0) {
                continue;
            }
            int u = first[prefix - 1] == i ? second[prefix - 1] : first[prefix - 1];
            if (u >= 0 && byF[u].s > v.f) {
                violation(v + " conflicts with " + byF[u]);
            }
        }
    }

    /** Returns the index of the first element of {@code sorted} that is not below {@code value}. */
    private static int lowerBound(long[] sorted, long value) {
        int low = 0;
        int high = sorted.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (sorted[mid] < value) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private void violation(String description) {
        violations++;
        if (examples.size() < EXAMPLES) {
            examples.add(description);
        }
    }

    /** The write of one value of a key (null: the initial absence) and what its reads add to it. */
    private static final class Cluster {
        final String key;
        final String value;
        final Write write;
        /** The earliest end of an operation of the cluster, and the operation. */
        long f;
        Object endsFirst;
        /** The latest start of an operation of the cluster, and the operation. */
        long s;
        Object startsLast;

        Cluster(String key, String value, Write write) {
            this.key = key;
            this.value = value;
            this.write = write;
            if (write == null) {
                f = Long.MIN_VALUE; // the initial value was there before anything
                endsFirst = "the initial absence";
                s = Long.MIN_VALUE;
                startsLast = endsFirst;
            } else {
                f = write.acknowledged() ? write.end() : Long.MAX_VALUE;
                endsFirst = write;
                s = write.start();
                startsLast = write;
            }
        }

        void add(Read read) {
            if (read.end() < f) {
                f = read.end();
                endsFirst = read;
            }
            if (read.start() > s) {
                s = read.start();
                startsLast = read;
            }
        }

        @Override
        public String toString() {
            String name = value == null ? "the absence of " + key : "value " + value + " of " + key;
            if (f < s) {
                return name + " (the register's value at least from " + f + ", the end of " + endsFirst
                        + ", to " + s + ", the start of " + startsLast + ")";
            }
            return name + " (taking effect at one instant between " + s + ", the start of " + startsLast
                    + ", and " + (f == Long.MAX_VALUE ? "never" : f + ", the end of " + endsFirst) + ")";
        }
    }
}
