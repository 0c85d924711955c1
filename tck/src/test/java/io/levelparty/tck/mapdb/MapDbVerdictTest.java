package io.levelparty.tck.mapdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The TCK's verdict on MapDB 3.1.0's {@code BTreeMap}, pinned: {@link MapDbBTreeMapTck} is run on
 * the JUnit Platform, as a build would run it, and the names of the tests it fails must be exactly
 * {@link #KNOWN_VIOLATIONS}. The test fails if MapDB starts failing another test, or if the TCK
 * stops catching one of its known violations.
 */
class MapDbVerdictTest {

    /**
     * The tests MapDB's {@code BTreeMap} fails. What it does wrong, as the failures say:
     * <ul>
     *   <li>{@code hashCode()} of the map, its views and its entries is not the one {@link java.util.Map}
     *       and {@link java.util.Map.Entry} define, and its entries are mutable and print as
     *       {@code MapEntry[k=v]}; the map prints as {@code org.mapdb.BTreeMap@…};</li>
     *   <li>{@code descendingMap().comparator()}, and the comparator of the descending key set's
     *       spliterator, is the ascending order;</li>
     *   <li>{@code higherKey} (and {@code lowerKey} of a descending view) of a key below a sub map's
     *       range returns {@code null} instead of the view's first key;</li>
     *   <li>descending head and tail views throw {@link NullPointerException} from their key sets and
     *       spliterators, and {@code entrySet().add} returns {@code false} instead of throwing
     *       {@link UnsupportedOperationException};</li>
     *   <li>the spliterator of {@code values()} does not report {@code ORDERED};</li>
     *   <li>it accepts {@code null} arguments on an empty map, and {@code remove(key, null)} throws.</li>
     * </ul>
     */
    static final Set<String> KNOWN_VIOLATIONS = Set.of("changesThroughTheViewOrTheMapShowInBoth",
            "collectionViewsDoNotSupportAdding", "entriesReturnedByIteratorsAreImmutableSnapshots",
            "entriesReturnedByIteratorsFollowTheEntryContract", "entriesReturnedByIteratorsPrintAsKeyEqualsValue",
            "equalsAndHashCodeFollowTheMapContract", "headAndTailMapsAgreeWithSnapshotForEveryBoundInclusion",
            "largeMapRangeViewsWithBoundsOnPageBoundaries", "nullArgumentsAreRejectedEvenByAnEmptyMap",
            "randomOperationSequencesAgreeWithATreeMap", "rangeOfAViewOfAViewMustLieWithinTheOuterRange",
            "rangeViewsWithoutInclusionFlagsIncludeTheLowerBoundAndExcludeTheUpper", "removeWithNullValueReturnsFalse",
            "reversedBoundsAreRejectedButEqualBoundsAreNot", "spliteratorsOfValuesAndEntriesAreOrdered",
            "spliteratorsReportTheCharacteristicsTheirCollectionsRequire", "streamsCollectTheElementsOfTheView",
            "subMapsAgreeWithSnapshotForEveryBoundInclusion", "toStringListsEntriesInKeyOrder",
            "tryAdvanceAndForEachRemainingReturnTheElementsOfTheIterator",
            "trySplitDividesTheElementsWithoutLosingOrRepeatingAny", "viewAgreesWithSnapshotWhenEmptyWithOneEntryAndWithMany",
            "viewComparatorImposesTheOrderOfTheView", "viewEqualsAndHashCodeFollowTheMapAndSetContracts",
            "viewToStringFollowsAbstractMap", "viewsTakenFromAnEmptyMapFollowLaterChanges");

    /**
     * How long each contention test races, in milliseconds, unless the build sets
     * {@value #CONTENTION_PROPERTY}: MapDB passes them all, and a short race keeps this test fast.
     */
    private static final String CONTENTION_MILLIS = "250";
    private static final String CONTENTION_PROPERTY = "levelparty.tck.contentionMillis";

    @Test
    void theTckFailsMapDbOnExactlyItsKnownViolations() {
        String contention = System.getProperty(CONTENTION_PROPERTY);
        Events tests;
        try {
            System.setProperty(CONTENTION_PROPERTY, contention == null ? CONTENTION_MILLIS : contention);
            tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(MapDbBTreeMapTck.class)).execute()
                    .testEvents();
        } finally {
            if (contention == null) {
                System.clearProperty(CONTENTION_PROPERTY);
            }
        }
        Set<String> failed = tests.failed().stream().map(MapDbVerdictTest::testName)
                .collect(Collectors.toCollection(TreeSet::new));
        System.out.println("MapDB BTreeMap in memory: " + tests.started().count() + " tests run, "
                + tests.failed().count() + " failed, " + tests.aborted().count() + " skipped; failing tests: " + failed);
        tests.failed().stream().forEach(e -> System.out.println("  " + testName(e) + ": " + firstLine(e)));
        assertEquals(new TreeSet<>(KNOWN_VIOLATIONS), failed, "tests MapDB's BTreeMap fails");
    }

    private static String firstLine(Event failure) {
        return failure.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                .map(t -> t.getMessage() == null ? t.toString() : t.getMessage().lines().limit(3)
                        .map(line -> line.length() > 160 ? line.substring(0, 160) + "…" : line)
                        .collect(Collectors.joining(" / ")))
                .orElse("");
    }

    private static String testName(Event event) {
        return event.getTestDescriptor().getSource().filter(MethodSource.class::isInstance)
                .map(source -> ((MethodSource) source).getMethodName()).orElseThrow();
    }
}
