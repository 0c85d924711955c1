package io.levelparty.tck.party;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.tck.party.StaleReadChecker.Read;
import io.levelparty.tck.party.StaleReadChecker.Write;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The linearizability checker on histories made up for each case, times being plain numbers, and
 * on random small histories against an exhaustive search for a legal order.
 */
class LinearizabilityCheckerTest {
    private static final String K = "k";

    private static Write acked(String value, long start, long end) {
        return new Write("w", K, value, start, end, true);
    }

    /** A write that threw at {@code end}: it may still take effect, then or later, or never. */
    private static Write threw(String value, long start, long end) {
        return new Write("w", K, value, start, end, false);
    }

    /** A write in flight when its process died. */
    private static Write lost(String value, long start) {
        return new Write("w", K, value, start, Long.MAX_VALUE, false);
    }

    private static Read read(String value, long start, long end) {
        return new Read("r", K, value, start, end);
    }

    private static long violations(List<Write> writes, Read... reads) {
        LinearizabilityChecker checker = new LinearizabilityChecker(writes);
        for (Read r : reads) {
            checker.add(r);
        }
        assertEquals(reads.length, checker.reads());
        long violations = checker.violations();
        assertEquals(Math.min(violations, LinearizabilityChecker.EXAMPLES), checker.examples().size(),
                () -> "one example a violation: " + checker.examples());
        return violations;
    }

    private static void assertLegal(List<Write> writes, Read... reads) {
        assertEquals(0, violations(writes, reads), "a legal history");
    }

    private static void assertIllegal(List<Write> writes, Read... reads) {
        assertTrue(violations(writes, reads) > 0, "an illegal history");
    }

    @Test
    void sequentialReadsOfTheLatestValueAreLegal() {
        assertLegal(List.of(acked("v1", 0, 10), acked("v2", 20, 30)), read(null, -10, -5), read("v1", 12, 18),
                read("v2", 35, 40), read("v2", 45, 50));
    }

    @Test
    void aValueOverwrittenBeforeTheReadBeganIsIllegal() {
        List<Write> writes = List.of(acked("v1", 0, 10), acked("v2", 20, 30));
        assertIllegal(writes, read("v1", 40, 50));
        assertEquals(2, violations(writes, read("v1", 40, 50)), "v1 and v2 conflict: each counts once");
    }

    @Test
    void readsConcurrentWithTheWritesTheyMayObserveAreLegal() {
        List<Write> writes = List.of(acked("v1", 0, 10), acked("v2", 20, 30));
        assertLegal(writes, read("v1", 5, 8), read("v1", 12, 18), read("v1", 25, 40), read("v2", 15, 25),
                read("v2", 40, 50));
        assertLegal(writes, read("v1", 30, 40)); // began as the write of v2 ended: ties may go either way
    }

    @Test
    void aReadMayNotSeeAnOlderValueThanAReadThatEndedBeforeItBegan() {
        // The writes overlap, so either order is legal, but two readers must agree on it.
        List<Write> writes = List.of(acked("v1", 0, 50), acked("v2", 0, 50));
        assertLegal(writes, read("v1", 10, 20), read("v2", 30, 40));
        assertLegal(writes, read("v2", 10, 20), read("v1", 30, 40));
        assertIllegal(writes, read("v2", 10, 20), read("v1", 30, 40), read("v2", 45, 48));
        // In other processes, after a write ended: v2 was read, so v1 came first and is gone.
        List<Write> sequential = List.of(acked("v1", 0, 10), acked("v2", 5, 15));
        assertLegal(sequential, read("v1", 20, 30), read("v1", 40, 50));
        assertIllegal(sequential, read("v2", 20, 30), read("v1", 40, 50));
        assertIllegal(sequential, read("v2", 20, 30), read("v1", 25, 50)); // both writes ended: their order is set
        assertLegal(sequential, read("v2", 6, 7), read("v1", 8, 9), read("v1", 20, 30)); // v1 came last
    }

    @Test
    void aReadMayNotSeeTheAbsenceAfterAValue() {
        List<Write> writes = List.of(acked("v1", 0, 100));
        assertLegal(writes, read(null, 10, 20), read("v1", 30, 40));
        assertIllegal(writes, read("v1", 10, 20), read(null, 30, 40));
        assertIllegal(writes, read(null, 110, 120));
        assertLegal(List.of(lost("v1", 0)), read(null, 110, 120));
        assertIllegal(List.of(lost("v1", 0)), read("v1", 10, 20), read(null, 110, 120));
    }

    @Test
    void aReadOfAValueWrittenLaterOrNeverIsIllegal() {
        assertIllegal(List.of(acked("v1", 30, 40)), read("v1", 10, 20));
        assertLegal(List.of(acked("v1", 30, 40)), read("v1", 10, 30)); // a tie
        assertIllegal(List.of(acked("v1", 0, 10)), read("v9", 20, 30));
        assertIllegal(List.of(new Write("w", "other", "v1", 0, 10, true)), read("v1", 20, 30));
    }

    @Test
    void unacknowledgedWritesMayTakeEffectLateOrNever() {
        List<Write> writes = List.of(acked("v1", 0, 10), threw("v2", 20, 30), lost("v3", 35));
        assertLegal(writes, read("v1", 40, 50)); // neither took effect
        assertLegal(writes, read("v2", 40, 50), read("v2", 60, 70)); // v2 after its call threw
        assertLegal(writes, read("v3", 40, 50));
        assertLegal(List.of(threw("v1", 0, 10), acked("v2", 20, 30)), read("v2", 35, 40), read("v1", 45, 50));
        // But once only: v1 came back after v2 was read between two reads of v1.
        assertIllegal(List.of(threw("v1", 0, 10), acked("v2", 20, 30)), read("v1", 35, 40), read("v2", 45, 50),
                read("v1", 55, 60));
    }

    @Test
    void anAcknowledgedWriteNeverReadStillOverwrites() {
        List<Write> writes = List.of(acked("v1", 0, 10), acked("v2", 20, 30), acked("v3", 40, 50));
        assertIllegal(writes, read("v1", 60, 70));
        assertLegal(writes, read("v3", 60, 70));
        assertIllegal(writes, read("v3", 45, 55), read("v2", 60, 70));
    }

    @Test
    void keysAreSeparateRegisters() {
        List<Write> writes = List.of(acked("v1", 0, 10), new Write("w", "other", "v2", 20, 30, true));
        assertLegal(writes, read("v1", 40, 50), new Read("r", "other", null, 5, 8),
                new Read("r", "other", "v2", 40, 50));
        assertIllegal(writes, new Read("r", "other", null, 40, 50));
        assertLegal(List.of(), new Read("r", "nothing", null, 0, 1)); // a key never written
    }

    @Test
    void everyExampleIsDescribedUpToTheLimit() {
        List<Write> writes = new ArrayList<>();
        List<Read> reads = new ArrayList<>();
        for (int i = 0; i < 2 * LinearizabilityChecker.EXAMPLES; i++) {
            writes.add(new Write("w", "k" + i, "a", 0, 10, true));
            writes.add(new Write("w", "k" + i, "b", 20, 30, true));
            reads.add(new Read("r", "k" + i, "a", 40, 50));
        }
        LinearizabilityChecker checker = new LinearizabilityChecker(writes);
        reads.forEach(checker::add);
        assertEquals(2L * 2 * LinearizabilityChecker.EXAMPLES, checker.violations(), "a and b, for each key");
        assertEquals(LinearizabilityChecker.EXAMPLES, checker.examples().size());
    }

    @Test
    void valuesMustBeUniqueToTheirWrite() {
        assertThrows(IllegalArgumentException.class,
                () -> new LinearizabilityChecker(List.of(acked("v1", 0, 10), acked("v1", 20, 30))));
    }

    /**
     * Random histories of one key, small enough to search every order of: the checker finds a
     * violation exactly when no legal order exists. Times are drawn from a narrow range, so that
     * ties are common.
     */
    @Test
    void agreesWithAnExhaustiveSearchOnRandomHistories() {
        Random random = new Random(20240612);
        int illegal = 0;
        for (int round = 0; round < 20_000; round++) {
            List<Write> writes = new ArrayList<>();
            int writeCount = random.nextInt(5);
            for (int i = 0; i < writeCount; i++) {
                long start = random.nextInt(30);
                long end = start + random.nextInt(10);
                int kind = random.nextInt(6);
                writes.add(kind == 0 ? threw("v" + i, start, end) : kind == 1 ? lost("v" + i, start)
                        : acked("v" + i, start, end));
            }
            List<Read> reads = new ArrayList<>();
            int readCount = 1 + random.nextInt(5);
            for (int i = 0; i < readCount; i++) {
                long start = random.nextInt(40);
                int value = random.nextInt(writeCount + 1);
                reads.add(read(value == writeCount ? null : "v" + value, start, start + random.nextInt(10)));
            }
            LinearizabilityChecker checker = new LinearizabilityChecker(writes);
            reads.forEach(checker::add);
            boolean legal = new Search(writes, reads).legal();
            if (!legal) {
                illegal++;
            }
            int r = round;
            assertEquals(legal, checker.violations() == 0, () -> "round " + r + ": " + writes + " " + reads
                    + " " + checker.examples());
        }
        assertTrue(illegal > 2_000, "illegal histories are common enough to matter: " + illegal);
    }

    /**
     * The definition read literally: a depth-first search for an order of the operations of one
     * key that respects real time (an operation that ended before another started comes first),
     * in which every read returns the value of the last write before it; writes that were not
     * acknowledged may be left out.
     */
    private static final class Search {
        private final List<Object> ops = new ArrayList<>();
        private final Set<Long> failed = new HashSet<>();

        Search(List<Write> writes, List<Read> reads) {
            ops.addAll(writes);
            ops.addAll(reads);
        }

        boolean legal() {
            return search(0, -1);
        }

        /** Whether the operations not in {@code done} can follow, the register holding write {@code current}'s value. */
        private boolean search(int done, int current) {
            boolean finished = true;
            for (int i = 0; i < ops.size(); i++) {
                if ((done & 1 << i) == 0 && !(ops.get(i) instanceof Write w && !w.acknowledged())) {
                    finished = false;
                }
            }
            if (finished) {
                return true;
            }
            long state = (long) done << 8 | (current + 1);
            if (failed.contains(state)) {
                return false;
            }
            for (int i = 0; i < ops.size(); i++) {
                if ((done & 1 << i) != 0 || !minimal(done, i)) {
                    continue;
                }
                Object op = ops.get(i);
                if (op instanceof Write) {
                    if (search(done | 1 << i, i)) {
                        return true;
                    }
                } else {
                    Read r = (Read) op;
                    String value = current < 0 ? null : ((Write) ops.get(current)).value();
                    if (Objects.equals(value, r.value()) && search(done | 1 << i, current)) {
                        return true;
                    }
                }
            }
            failed.add(state);
            return false;
        }

        /** Whether no operation left to place ended before operation {@code i} started. */
        private boolean minimal(int done, int i) {
            long start = start(ops.get(i));
            for (int j = 0; j < ops.size(); j++) {
                if ((done & 1 << j) == 0 && end(ops.get(j)) < start) {
                    return false;
                }
            }
            return true;
        }

        private static long start(Object op) {
            return op instanceof Write w ? w.start() : ((Read) op).start();
        }

        private static long end(Object op) {
            return op instanceof Write w ? (w.acknowledged() ? w.end() : Long.MAX_VALUE) : ((Read) op).end();
        }
    }
}
