package io.levelparty.tck.party;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.levelparty.tck.party.StaleReadChecker.Read;
import io.levelparty.tck.party.StaleReadChecker.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stale-read checker on histories made up for each case, times being plain numbers. */
class StaleReadCheckerTest {
    private static final String K = "k";

    private static Write acked(String value, long start, long end) {
        return new Write("w", K, value, start, end, true);
    }

    /** A write that threw at {@code end}: it may still take effect, then or later. */
    private static Write threw(String value, long start, long end) {
        return new Write("w", K, value, start, end, false);
    }

    private static Read read(String value, long start, long end) {
        return new Read("r", K, value, start, end);
    }

    private static StaleReadChecker check(List<Write> writes, Read... reads) {
        StaleReadChecker checker = new StaleReadChecker(writes);
        for (Read r : reads) {
            checker.check(r);
        }
        assertEquals(reads.length, checker.readsChecked());
        return checker;
    }

    @Test
    void aValueOverwrittenBeforeTheReadBeganIsStale() {
        StaleReadChecker checker = check(List.of(acked("v1", 0, 10), acked("v2", 20, 30)), read("v1", 40, 50));
        assertEquals(1, checker.staleReads());
        assertEquals(0, checker.neverWritten());
        assertEquals(1, checker.examples().size(), () -> "one example: " + checker.examples());
    }

    @Test
    void aValueOverwrittenByALaterWriteOfAnotherKeyIsNotStale() {
        List<Write> writes = List.of(acked("v1", 0, 10), new Write("w", "other", "v2", 20, 30, true));
        assertEquals(0, check(writes, read("v1", 40, 50)).staleReads());
    }

    @Test
    void aValueNoWriteEverPutIsNeverWritten() {
        StaleReadChecker checker = check(List.of(acked("v1", 0, 10)), read("v9", 20, 30));
        assertEquals(1, checker.neverWritten());
        assertEquals(0, checker.staleReads());
    }

    @Test
    void aValueWrittenToAnotherKeyIsNeverWritten() {
        List<Write> writes = List.of(new Write("w", "other", "v1", 0, 10, true));
        assertEquals(1, check(writes, read("v1", 20, 30)).neverWritten());
    }

    @Test
    void aValueWhoseWriteStartedOnlyAfterTheReadEndedIsNeverWritten() {
        StaleReadChecker checker = check(List.of(acked("v1", 30, 40)), read("v1", 10, 20), read("v1", 10, 30));
        assertEquals(2, checker.neverWritten());
    }

    @Test
    void anAbsenceReadAfterAWriteEndedIsStale() {
        StaleReadChecker checker = check(List.of(acked("v1", 0, 10)), read(null, 20, 30));
        assertEquals(1, checker.staleReads());
        assertEquals(0, checker.neverWritten());
    }

    @Test
    void anAbsenceReadBeforeOrDuringTheFirstWriteIsNotStale() {
        StaleReadChecker checker = check(List.of(acked("v1", 10, 20)), read(null, 0, 5), read(null, 5, 15),
                read(null, 15, 25), read(null, 20, 25));
        assertEquals(0, checker.staleReads());
    }

    @Test
    void readsConcurrentWithTheWritesTheyMayObserveAreNotStale() {
        List<Write> writes = List.of(acked("v1", 0, 10), acked("v2", 20, 30));
        StaleReadChecker checker = check(writes,
                read("v1", 5, 8), // during the write of v1
                read("v1", 12, 18), // between the writes
                read("v1", 25, 40), // began during the write of v2
                read("v1", 30, 40), // began as the write of v2 ended
                read("v2", 15, 25), // during the write of v2
                read("v2", 40, 50));
        assertEquals(0, checker.staleReads());
        assertEquals(0, checker.neverWritten());
    }

    @Test
    void aWriteOverlappingTheWriteOfTheValueReadDoesNotProveItStale() {
        // Either may have taken effect last: v1 after v2 is a valid order.
        List<Write> writes = List.of(acked("v1", 0, 20), acked("v2", 10, 30));
        assertEquals(0, check(writes, read("v1", 40, 50), read("v2", 40, 50)).staleReads());
    }

    @Test
    void aWriteEndingAsTheValueReadWasWrittenDoesNotProveItStale() {
        List<Write> writes = List.of(acked("v1", 0, 10), acked("v2", 10, 30));
        assertEquals(0, check(writes, read("v1", 40, 50)).staleReads());
    }

    @Test
    void unacknowledgedWritesNeverProveAReadStale() {
        List<Write> writes = List.of(acked("v1", 0, 10), threw("v2", 20, 30),
                new Write("w", K, "v3", 35, Long.MAX_VALUE, false)); // in flight when its process died
        StaleReadChecker checker = check(writes, read("v1", 40, 50), read("v2", 40, 50), read("v3", 40, 50));
        assertEquals(0, checker.staleReads());
        assertEquals(0, checker.neverWritten(), "an unacknowledged write's value may be read");
        assertEquals(0, check(List.of(threw("v2", 20, 30)), read(null, 40, 50)).staleReads());
    }

    @Test
    void anUnacknowledgedWriteMayTakeEffectAfterEveryLaterWrite() {
        List<Write> writes = List.of(threw("v1", 0, 10), acked("v2", 20, 30));
        assertEquals(0, check(writes, read("v1", 40, 50)).staleReads());
    }

    @Test
    void theOverwriteIsFoundAmongWritesThatEndedLater() {
        // b overwrote a; c, which ended last before the reads, overlaps a and proves nothing.
        List<Write> writes = List.of(acked("a", 0, 10), acked("b", 50, 60), acked("c", 5, 70), acked("d", 100, 110));
        StaleReadChecker checker = check(writes, read("a", 75, 80), read("c", 75, 80), read("b", 75, 80));
        assertEquals(1, checker.staleReads(), () -> checker.examples().toString());
        assertEquals(1, check(writes, read("a", 60, 80)).staleReads() + check(writes, read("a", 61, 80)).staleReads(),
                "b proves a read stale only once it ended before the read began");
    }

    @Test
    void everyExampleIsDescribedUpToTheLimit() {
        Read[] reads = new Read[StaleReadChecker.EXAMPLES * 2];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = i % 2 == 0 ? read("v1", 40 + i, 50 + i) : read("nobody's", 40 + i, 50 + i);
        }
        StaleReadChecker checker = check(List.of(acked("v1", 0, 10), acked("v2", 20, 30)), reads);
        assertEquals(StaleReadChecker.EXAMPLES, checker.staleReads());
        assertEquals(StaleReadChecker.EXAMPLES, checker.neverWritten());
        assertEquals(2 * StaleReadChecker.EXAMPLES, checker.examples().size());
    }

    @Test
    void valuesMustBeUniqueToTheirWrite() {
        assertThrows(IllegalArgumentException.class,
                () -> new StaleReadChecker(List.of(acked("v1", 0, 10), acked("v1", 20, 30))));
    }

    /** Random histories, checked by the checker and by the definition read literally, must agree. */
    @Test
    void agreesWithTheDefinitionOnRandomHistories() {
        Random random = new Random(20240611);
        for (int round = 0; round < 200; round++) {
            List<Write> writes = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(30); i++) {
                long start = random.nextInt(1000);
                long end = start + random.nextInt(100);
                writes.add(random.nextInt(5) == 0 ? threw("v" + i, start, end) : acked("v" + i, start, end));
            }
            StaleReadChecker checker = new StaleReadChecker(writes);
            long stale = 0;
            long neverWritten = 0;
            for (int i = 0; i < 200; i++) {
                long start = random.nextInt(1100);
                Read r = read(random.nextInt(10) == 0 ? null : "v" + random.nextInt(writes.size() + 2), start,
                        start + random.nextInt(50));
                checker.check(r);
                Write w1 = writes.stream().filter(w -> w.value().equals(r.value())).findFirst().orElse(null);
                if (r.value() != null && (w1 == null || w1.start() >= r.end())) {
                    neverWritten++;
                } else if (writes.stream().anyMatch(w2 -> w2.acknowledged() && w2.end() < r.start()
                        && (w1 == null || w1.acknowledged() && w1.end() < w2.start()))) {
                    stale++;
                }
            }
            assertEquals(stale, checker.staleReads(), "stale reads in round " + round);
            assertEquals(neverWritten, checker.neverWritten(), "values never written in round " + round);
        }
    }
}
