package io.levelparty.impl;

import io.levelparty.spi.KeyRange;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At the leader, compacts in the background the key ranges where reads step over many dead
 * entries, so that navigation stays fast in a map that sees many deletes and overwrites.
 *
 * <p>LevelDB keeps a deleted key as a tombstone, and an overwritten value as an older version,
 * until a compaction drops them; an iterator steps over each one. A small map that is written and
 * cleared over and over gathers tens of thousands of them in the memtable and the young tables, and
 * then {@code lastKey()} steps over all of them to find five live keys (a backward step in the
 * memtable is a search, which makes it worse: 1.3 ms for {@code lastKey}, 7 ms for the first entry
 * of a descending view, against 3 µs fresh). LevelDB 1.8 compacts by size and by point-read
 * misses, never because iterators are slow, so the garbage stays as long as writes do not push
 * it down.
 *
 * <p>So each navigation and scan reports how long it took and what it covered; one that took
 * longer than its live entries explain ({@link #SLOW_NANOS} plus {@link #NANOS_PER_ENTRY} each)
 * stepped over dead entries, and the range it stepped over is compacted on a background thread
 * ({@link LocalStore#compactThroughDeepest}). The range is only what the read covered, so the work is small.
 * One compaction runs at a time, and the next may start once either of two budgets allows it:
 * <ul>
 *   <li>the reads lost, beyond what their entries explain, as much time as the last compaction
 *       took, since it ended: a compaction costs no more than the slowness it removes, and a map
 *       whose writes just stopped is compacted after a few slow reads (compacting only once the
 *       pause below had passed left the garbage of the last tens of milliseconds of churn in
 *       place: {@code lastKey()} 6 to 15 times slower than fresh in 4 of 10 runs right after
 *       16,000 cycles, against 2 of 10, at most 3 times, with this budget);
 *   <li>or nine times the last compaction's duration has passed since it ended (at least
 *       {@link #MIN_PAUSE_NANOS}).
 * </ul>
 * A read that was slow for another reason (a preempted thread, a collection, cold code) counts
 * like any other, but for at most {@link #MAX_LOSS_PER_READ_NANOS}: a preemption lasts
 * milliseconds, a step over garbage microseconds per read. So compaction takes at most as much
 * time as the reads lost to slowness, each counted up to that bound, or a tenth of the time.
 */
final class ChurnCompactor {
    private static final Logger log = LoggerFactory.getLogger(ChurnCompactor.class);
    /**
     * What a read may take beyond its entries before it counts as slow: about seven times a fresh
     * {@code lastKey} (3.5 µs). At 100 µs, garbage that made reads 20 times slower went uncompacted.
     */
    static final long SLOW_NANOS = TimeUnit.MICROSECONDS.toNanos(25);
    /** What a read may take per live entry it returned. */
    static final long NANOS_PER_ENTRY = TimeUnit.MICROSECONDS.toNanos(2);
    /** The most one read's loss counts for. */
    static final long MAX_LOSS_PER_READ_NANOS = TimeUnit.MICROSECONDS.toNanos(250);
    /** The least pause between two compactions when the reads lost less than the first budget. */
    static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * What a failed compaction counts as having taken, for both budgets: one that fails on a full
     * disk fails again until space is freed, and each failure is logged.
     */
    static final long FAILED_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Consumer<KeyRange> compact;
    private final String name;
    /** Reads the time in ns: System.nanoTime(), or a test's clock. */
    private final LongSupplier clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong compactions = new AtomicLong();
    /** What slow reads lost beyond what their entries explain since the last compaction ended, in ns. */
    private final AtomicLong lost = new AtomicLong();
    /** How long the last compaction took, in ns. */
    private volatile long lastTook;
    /** When the next compaction may start however little the reads lost, read from {@link #clock}. */
    private volatile long nextAllowed;

    /**
     * @param compact compacts a range of the store, or throws once the store is closed
     * @param name names the store in the thread's name and in the log
     */
    ChurnCompactor(Consumer<KeyRange> compact, String name) {
        this(compact, name, System::nanoTime);
    }

    ChurnCompactor(Consumer<KeyRange> compact, String name, LongSupplier clock) {
        this.compact = compact;
        this.name = name;
        this.clock = clock;
        this.nextAllowed = clock.getAsLong();
    }

    /**
     * Reports a read that started at {@code startNanos} (as read from the clock), returned
     * {@code live} entries and stepped over the keys from {@code low} to {@code high} (null:
     * unbounded), and compacts that range in the background if the read was slow and a budget
     * allows.
     */
    void read(long startNanos, int live, byte[] low, byte[] high) {
        long now = clock.getAsLong();
        long excess = now - startNanos - (SLOW_NANOS + live * NANOS_PER_ENTRY);
        if (excess <= 0) {
            return;
        }
        long lostSoFar = lost.addAndGet(Math.min(excess, MAX_LOSS_PER_READ_NANOS));
        boolean paidFor = lostSoFar >= lastTook;
        if (!(paidFor || now - nextAllowed >= 0) || !running.compareAndSet(false, true)) {
            return;
        }
        KeyRange range = new KeyRange(low, true, high, true);
        Thread thread = new Thread(() -> run(range), "levelparty-compaction " + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(KeyRange range) {
        long start = clock.getAsLong();
        boolean done = false;
        boolean failed = false;
        try {
            compact.accept(range);
            done = true;
        } catch (TermEndedException closed) {
            // the store closed meanwhile: its next leader compacts when its own reads are slow
        } catch (RuntimeException e) {
            failed = true;
            log.warn("Compacting {} of {} after slow reads failed", range, name, e);
        } finally {
            long end = clock.getAsLong();
            lastTook = failed ? Math.max(FAILED_NANOS, end - start) : end - start;
            nextAllowed = end + Math.max(MIN_PAUSE_NANOS, 9 * lastTook);
            // what reads lost while the range was compacted may be what this compaction removed
            lost.set(0);
            running.set(false);
            if (done) {
                compactions.incrementAndGet(); // last: whoever sees the count sees the budgets this compaction left
            }
        }
    }

    /** Returns how many compactions completed. */
    long compactions() {
        return compactions.get();
    }
}
