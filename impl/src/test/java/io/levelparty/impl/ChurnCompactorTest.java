package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.levelparty.PartyException;
import io.levelparty.spi.KeyRange;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The budgets that let a compaction start, on a clock of the test's own: time moves only when the
 * test moves it, or by the length of a compaction while one runs.
 *
 * <p>Each read reports a range of its own, and the compactor records the ranges it compacted, so
 * that a test shows which read started a compaction: had an earlier read started one, its range
 * would be recorded instead.
 */
class ChurnCompactorTest {
    private static final long MICROS = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long MILLIS = TimeUnit.MILLISECONDS.toNanos(1);

    /** How many reads that lost 200 µs each pay for a compaction of 40 ms. */
    private static final int READS_TO_PAY = (int) (40 * MILLIS / (200 * MICROS));

    private final AtomicLong clock = new AtomicLong(1_000 * MILLIS);
    /** How long each compaction lasts on the clock. */
    private volatile long compactionNanos = 40 * MILLIS;
    private final List<String> compacted = new CopyOnWriteArrayList<>();
    /** Holds each compaction until opened, if set; {@link #entered} opens when one starts. */
    private volatile CountDownLatch gate;
    private final CountDownLatch entered = new CountDownLatch(1);
    /** What each compaction fails with, if set, as a compaction on a full disk does. */
    private volatile RuntimeException failure;
    private final ChurnCompactor compactor = new ChurnCompactor(range -> {
        compacted.add(new String(range.low(), StandardCharsets.UTF_8));
        if (failure != null) {
            throw failure;
        }
        entered.countDown();
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        clock.addAndGet(compactionNanos);
    }, "test", clock::get);

    /** Reports a read of one entry over the range {@code name}, that took {@code nanos} beyond what counts as slow. */
    private void slowRead(String name, long nanos) {
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        long took = ChurnCompactor.SLOW_NANOS + ChurnCompactor.NANOS_PER_ENTRY + nanos;
        compactor.read(clock.get() - took, 1, key, key);
    }

    private void awaitCompactions(int n) {
        Poll.until(() -> compactor.compactions() >= n, "compaction " + n);
        assertEquals(n, compactor.compactions());
    }

    /** Reports a read that lost {@code nanos}, and checks that it, and no read before it, started the second compaction. */
    private void assertTheNextReadStartsTheSecond(long nanos) {
        slowRead("paid for", nanos);
        awaitCompactions(2);
        assertEquals(List.of("first", "paid for"), compacted);
    }

    @Test
    void aReadNoSlowerThanItsEntriesExplainCompactsNothing() {
        slowRead("fast", 0);
        slowRead("slow", 1);
        awaitCompactions(1);
        assertEquals(List.of("slow"), compacted);
    }

    /** After a compaction of 40 ms, reads that lost what it took pay for the next, long before the pause's end. */
    @Test
    void readsThatLostWhatTheLastCompactionTookStartTheNext() {
        slowRead("first", 1);
        awaitCompactions(1);
        for (int i = 0; i < READS_TO_PAY - 1; i++) {
            clock.addAndGet(MILLIS);
            slowRead("read " + i, 200 * MICROS);
        }
        clock.addAndGet(MILLIS);
        assertTheNextReadStartsTheSecond(200 * MICROS);
    }

    /** A read preempted for milliseconds counts for no more than a read slowed by garbage. */
    @Test
    void aReadsLossCountsUpToItsBound() {
        slowRead("first", 1);
        awaitCompactions(1);
        long reads = 40 * MILLIS / ChurnCompactor.MAX_LOSS_PER_READ_NANOS;
        for (int i = 0; i < reads - 1; i++) {
            slowRead("preempted " + i, 5 * MILLIS);
        }
        assertTheNextReadStartsTheSecond(5 * MILLIS);
    }

    /** What reads lost while a compaction ran may be what it removed: it does not count towards the next. */
    @Test
    void lossDuringACompactionIsForgotten() throws InterruptedException {
        gate = new CountDownLatch(1);
        slowRead("first", 1);
        entered.await();
        for (int i = 0; i < READS_TO_PAY; i++) {
            slowRead("during " + i, 200 * MICROS);
        }
        gate.countDown();
        awaitCompactions(1);
        for (int i = 0; i < READS_TO_PAY - 1; i++) {
            slowRead("read " + i, 200 * MICROS);
        }
        assertTheNextReadStartsTheSecond(200 * MICROS);
    }

    /** However little the reads lost, nine times the last compaction's length after it, the next may start. */
    @Test
    void afterThePauseAnySlowReadStartsACompaction() {
        slowRead("first", 1);
        awaitCompactions(1);
        clock.addAndGet(9 * compactionNanos - 1);
        slowRead("too early", 1);
        clock.addAndGet(1);
        slowRead("after the pause", 1);
        awaitCompactions(2);
        assertEquals(List.of("first", "after the pause"), compacted);
    }

    /** The pause is never shorter than its least, however short the compactions. */
    @Test
    void thePauseLastsAtLeastItsLeast() {
        compactionNanos = MICROS;
        slowRead("first", 1);
        awaitCompactions(1);
        compactionNanos = 40 * MILLIS;
        // the last compaction took 1 µs: losses of 1 ns do not pay for the next, the pause decides
        clock.addAndGet(ChurnCompactor.MIN_PAUSE_NANOS - 1);
        slowRead("too early", 1);
        slowRead("still too early", 1);
        clock.addAndGet(1);
        slowRead("after the pause", 1);
        awaitCompactions(2);
        assertEquals(List.of("first", "after the pause"), compacted);
    }

    /**
     * A compaction that failed (on a full disk each one fails until space is freed, with a warning
     * logged) counts as one that took {@link ChurnCompactor#FAILED_NANOS}, not as one that took no
     * time, which any slow read would pay for again at once.
     */
    @Test
    void aFailedCompactionCountsAsOneThatTookItsLeast() {
        failure = new PartyException("The filesystem has 0 bytes free");
        slowRead("failed", 1);
        Poll.until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("levelparty-compaction test")), "the failed compaction's end");
        failure = null;
        long reads = ChurnCompactor.FAILED_NANOS / ChurnCompactor.MAX_LOSS_PER_READ_NANOS;
        for (int i = 0; i < reads - 1; i++) {
            slowRead("read " + i, ChurnCompactor.MAX_LOSS_PER_READ_NANOS);
        }
        slowRead("paid for", ChurnCompactor.MAX_LOSS_PER_READ_NANOS);
        awaitCompactions(1);
        assertEquals(List.of("failed", "paid for"), compacted);
    }
}
