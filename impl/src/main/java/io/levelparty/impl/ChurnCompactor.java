package io.levelparty.impl;

import io.levelparty.spi.KeyRange;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
 * stepped over dead entries, and the range it stepped over is compacted on a background thread:
 * LevelDB flushes the memtable and rewrites the range's tables without them. The range is only
 * what the read covered, so the work is small; one compaction runs at a time, and the next may
 * start only after nine times the last one's duration (at least {@link #MIN_PAUSE_NANOS}), so
 * compaction takes at most a tenth of the time however often reads are slow. A read that was slow
 * for another reason (a preempted thread, a cold disk) costs at most one needless small compaction.
 */
final class ChurnCompactor {
    private static final Logger log = LoggerFactory.getLogger(ChurnCompactor.class);
    /**
     * What a read may take beyond its entries before it counts as slow: about five times a fresh
     * {@code lastKey}. At 100 µs, garbage that made reads 20 times slower than fresh ones (70 µs
     * against 3.5) went uncompacted.
     */
    static final long SLOW_NANOS = TimeUnit.MICROSECONDS.toNanos(25);
    /** What a read may take per live entry it returned. */
    static final long NANOS_PER_ENTRY = TimeUnit.MICROSECONDS.toNanos(2);
    /**
     * The least pause between two compactions. With a threshold this low, a read preempted on a
     * busy machine counts as slow too; what bounds the cost of such needless compactions is that
     * they take at most a tenth of the time (a pause of a second let the garbage of the last
     * second stay: reads after 16,000 put-and-clear cycles stayed 5 to 8 times slower than fresh).
     */
    private static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Consumer<KeyRange> compact;
    private final String name;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong compactions = new AtomicLong();
    /** When the next compaction may start, as System.nanoTime(). */
    private volatile long nextAllowed = System.nanoTime();

    /**
     * @param compact compacts a range of the store, or throws once the store is closed
     * @param name names the store in the thread's name and in the log
     */
    ChurnCompactor(Consumer<KeyRange> compact, String name) {
        this.compact = compact;
        this.name = name;
    }

    /**
     * Reports a read that started {@code startNanos} ago (System.nanoTime()), returned {@code live}
     * entries and stepped over the keys from {@code low} to {@code high} (null: unbounded), and
     * compacts that range in the background if the read was slow.
     */
    void read(long startNanos, int live, byte[] low, byte[] high) {
        long now = System.nanoTime();
        if (now - startNanos <= SLOW_NANOS + live * NANOS_PER_ENTRY || now - nextAllowed < 0
                || !running.compareAndSet(false, true)) {
            return;
        }
        KeyRange range = new KeyRange(low, true, high, true);
        Thread thread = new Thread(() -> run(range), "levelparty-compaction " + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(KeyRange range) {
        long start = System.nanoTime();
        try {
            compact.accept(range);
            compactions.incrementAndGet();
        } catch (TermEndedException closed) {
            // the store closed meanwhile: its next leader compacts when its own reads are slow
        } catch (RuntimeException e) {
            log.warn("Compacting {} of {} after slow reads failed", range, name, e);
        } finally {
            long took = System.nanoTime() - start;
            nextAllowed = System.nanoTime() + Math.max(MIN_PAUSE_NANOS, 9 * took);
            running.set(false);
        }
    }

    /** Returns how many compactions completed. */
    long compactions() {
        return compactions.get();
    }
}
