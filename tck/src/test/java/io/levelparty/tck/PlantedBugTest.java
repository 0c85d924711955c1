package io.levelparty.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.tck.ContractRun.Outcome;
import io.levelparty.tck.planted.PlantedBug;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The proof that the contracts catch bugs: each {@link PlantedBug} must fail the one contract test
 * that checks what it breaks, and no other.
 *
 * <p>A race is caught by chance in any one run. The contract is tuned to catch each planted race
 * in at least 13 of 14 runs; this test allows {@value #ATTEMPTS} runs, so it fails only if the
 * contract has lost its edge. To measure the catch rate, set the system property
 * {@value #RUNS_PROPERTY} to a number of runs: each race is then run that many times, and the
 * count of runs that caught it is printed and must be all but one at least.
 */
class PlantedBugTest {

    private static final int ATTEMPTS = 3;
    private static final String RUNS_PROPERTY = "levelparty.tck.plantedBugRuns";

    private static final List<Function<ConcurrentNavigableMapTck, MapContractSupport>> SINGLE_THREADED = List.of(
            tck -> tck.new Methods(), tck -> tck.new Views(), tck -> tck.new Iteration(), tck -> tck.new Differential(),
            tck -> tck.new Spliterators());

    @ParameterizedTest
    @EnumSource(value = PlantedBug.class, mode = EnumSource.Mode.MATCH_ALL, names = "NON_ATOMIC.*")
    void theConcurrencyContractCatchesAPlantedRace(PlantedBug bug) throws Exception {
        Subject subject = new Subject(() -> bug.newMap(CodePointOrder.INSTANCE), Set.of(), Map.of());
        String runs = System.getProperty(RUNS_PROPERTY);
        if (runs != null) {
            int total = Integer.parseInt(runs);
            int caught = 0;
            for (int run = 0; run < total; run++) {
                caught += catches(subject, bug) ? 1 : 0;
            }
            System.out.println("catch rate of " + bug + ": " + caught + "/" + total);
            assertTrue(caught >= total - 1, bug + " caught in " + caught + " of " + total + " runs");
            return;
        }
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (catches(subject, bug)) {
                return;
            }
        }
        throw new AssertionError(bug + " slipped through " + bug.catchingTest() + " in " + ATTEMPTS + " runs");
    }

    private static boolean catches(Subject subject, PlantedBug bug) throws Exception {
        List<Outcome> outcomes = ContractRun.matching(() -> subject.new Concurrency(), bug.catchingTest()::equals);
        assertEquals(1, outcomes.size(), "runs of " + bug.catchingTest());
        return outcomes.get(0).failed();
    }

    @ParameterizedTest
    @EnumSource(value = PlantedBug.class, names = {"WRONG_HASH_CODE", "WRONG_DESCENDING_COMPARATOR"})
    void aPlantedBugFailsOnlyTheTestOfWhatItBreaks(PlantedBug bug) throws Exception {
        Subject subject = new Subject(() -> bug.newMap(CodePointOrder.INSTANCE), MapFeature.ofConcurrentSkipListMap(),
                Map.of());
        List<Outcome> outcomes = runSingleThreaded(subject);
        assertEquals(Set.of(bug.catchingTest()), ContractRun.failedTests(outcomes), "tests failed by " + bug);
    }

    @ParameterizedTest
    @EnumSource(value = PlantedBug.class, names = {"WRONG_HASH_CODE", "WRONG_DESCENDING_COMPARATOR"})
    void aWaiverTurnsTheFailureIntoASkipWithItsReason(PlantedBug bug) throws Exception {
        Subject subject = new Subject(() -> bug.newMap(CodePointOrder.INSTANCE), MapFeature.ofConcurrentSkipListMap(),
                Map.of(bug.catchingTest(), "known bug, to be fixed"));
        List<Outcome> outcomes = runSingleThreaded(subject);
        assertEquals(Set.of(), ContractRun.failedTests(outcomes), "tests failed with the waiver");
        List<Outcome> waived = outcomes.stream().filter(o -> o.test().equals(bug.catchingTest())).toList();
        assertFalse(waived.isEmpty(), "the waived test ran");
        waived.forEach(o -> {
            assertTrue(o.skipped(), o.invocation() + " is skipped");
            assertEquals("Assumption failed: waived: known bug, to be fixed", o.cause().getMessage(), o.invocation());
        });
    }

    @ParameterizedTest
    @EnumSource(value = PlantedBug.class, names = "WRONG_HASH_CODE")
    void aWaiverNamingNoTestFailsEveryTest(PlantedBug bug) throws Exception {
        Subject subject = new Subject(() -> bug.newMap(CodePointOrder.INSTANCE), Set.of(),
                Map.of("equalsAndHashcodeFollowTheMapContract", "misspelt"));
        ContractRun.matching(() -> subject.new Methods(), name -> true).forEach(o -> {
            assertTrue(o.failed(), o.invocation() + " fails");
            assertTrue(o.cause().getMessage().contains("equalsAndHashcodeFollowTheMapContract"), o.cause().getMessage());
        });
    }

    @ParameterizedTest
    @EnumSource(value = PlantedBug.class, names = "WRONG_HASH_CODE")
    void aCorrectMapDeclaringNoFeatureFailsNothingAndSkipsOnlyTheFeatureTests(PlantedBug unused) throws Exception {
        Subject subject = new Subject(() -> new ConcurrentSkipListMap<>(CodePointOrder.INSTANCE), Set.of(), Map.of());
        List<Outcome> outcomes = runSingleThreaded(subject);
        assertEquals(Set.of(), ContractRun.failedTests(outcomes), "tests failed");
        List<String> skipped = outcomes.stream().filter(Outcome::skipped).map(Outcome::test).distinct().sorted().toList();
        assertEquals(List.of("entriesReturnedByIteratorsAreImmutableSnapshots",
                "entriesReturnedByIteratorsPrintAsKeyEqualsValue", "entriesReturnedByNavigationAreImmutableSnapshots",
                "entriesReturnedByNavigationPrintAsKeyEqualsValue", "nullArgumentsAreRejectedEvenByAnEmptyMap",
                "removeWithNullValueReturnsFalse", "spliteratorsOfValuesAndEntriesAreOrdered", "toStringListsEntriesInKeyOrder",
                "viewToStringFollowsAbstractMap"),
                skipped, "tests skipped for want of a declared feature");
        outcomes.stream().filter(Outcome::skipped).forEach(o -> assertTrue(
                o.cause().getMessage().contains("does not declare MapFeature."), o.cause().getMessage()));
    }

    @ParameterizedTest
    @EnumSource(value = PlantedBug.class, names = "WRONG_HIGHER_KEY_OF_THE_LAST_KEY")
    void theDifferentialContractShrinksAPlantedBugToTwoCalls(PlantedBug bug) throws Exception {
        Subject subject = new Subject(() -> bug.newMap(CodePointOrder.INSTANCE), MapFeature.ofConcurrentSkipListMap(),
                Map.of());
        List<Outcome> outcomes = ContractRun.all(() -> subject.new Differential());
        assertEquals(Set.of(bug.catchingTest()), ContractRun.failedTests(outcomes), "tests failed by " + bug);
        String message = outcomes.get(0).cause().getMessage();
        List<String> calls = message.lines().filter(line -> line.startsWith("    map.")).toList();
        assertEquals(2, calls.size(), "calls in the reproducer:\n" + message);
        assertTrue(calls.get(0).startsWith("    map.put(\"k0000\", \"a\");"), message);
        assertTrue(calls.get(1).startsWith("    map.higherKey(\"k0000\");"), message);
        assertTrue(calls.get(1).contains("// \"k0000\", expected null"), message);
        assertTrue(message.contains("seed "), message);
    }

    private static List<Outcome> runSingleThreaded(Subject subject) throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        for (Function<ConcurrentNavigableMapTck, MapContractSupport> contract : SINGLE_THREADED) {
            outcomes.addAll(ContractRun.all(() -> contract.apply(subject)));
        }
        return outcomes;
    }

    /** The contracts as a user runs them, for one kind of map. */
    private static final class Subject extends ConcurrentNavigableMapTck {
        private final Supplier<ConcurrentNavigableMap<String, String>> maps;
        private final Set<MapFeature> features;
        private final Map<String, String> waivers;

        Subject(Supplier<ConcurrentNavigableMap<String, String>> maps, Set<MapFeature> features,
                Map<String, String> waivers) {
            this.maps = maps;
            this.features = features;
            this.waivers = waivers;
        }

        @Override
        protected ConcurrentNavigableMap<String, String> newMap() {
            return maps.get();
        }

        @Override
        protected Comparator<String> keyOrder() {
            return CodePointOrder.INSTANCE;
        }

        @Override
        protected Set<MapFeature> features() {
            return features;
        }

        @Override
        protected Map<String, String> waivers() {
            return waivers;
        }
    }
}
