package io.levelparty.tck;

import static io.levelparty.tck.MapAssertions.assertAbstractMapToString;
import static io.levelparty.tck.MapAssertions.assertMapEqualsAndHashCode;
import static io.levelparty.tck.MapAssertions.assertSameMap;
import static io.levelparty.tck.MapAssertions.assertSameOrder;
import static io.levelparty.tck.MapAssertions.copy;
import static io.levelparty.tck.MapAssertions.entries;
import static io.levelparty.tck.MapAssertions.quote;
import static io.levelparty.tck.MapAssertions.quoteAll;
import static io.levelparty.tck.MapAssertions.sorted;
import static io.levelparty.tck.TestKeys.key;
import static io.levelparty.tck.TestKeys.valueOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Contract tests for the methods of a {@link ConcurrentNavigableMap}{@code <String, String>} itself:
 * those of {@link Map}, {@link java.util.concurrent.ConcurrentMap},
 * {@link java.util.SortedMap} and {@link java.util.NavigableMap}, run by one thread.
 *
 * <h2>Use</h2>
 * Subclass it in a test source tree and return a new, empty map from {@link #newMap()}; override
 * {@link #disposeMap} if a map needs releasing in some other way than {@link AutoCloseable#close()}:
 * <pre>{@code
 * class MyMapContractTest extends ConcurrentNavigableMapContract {
 *     @Override
 *     protected ConcurrentNavigableMap<String, String> newMap() {
 *         return new MyMap();
 *     }
 * }
 * }</pre>
 * The rest of the contract is in {@link NavigableViewsContract} (sub maps, descending maps, key
 * sets, values and entry sets), {@link IterationContract} (iterators, weak consistency, large maps)
 * and {@link ConcurrencyContract} (atomicity under contention); subclass each of them the same way.
 *
 * <h2>What it covers</h2>
 * Every method on an empty map, a map of one entry and a map of many; {@code put}, {@code get},
 * {@code remove}, {@code containsKey}, {@code containsValue}, {@code size}, {@code isEmpty},
 * {@code clear}, {@code putAll}, {@code getOrDefault}, {@code forEach} and {@code replaceAll}; the
 * atomic operations {@code putIfAbsent}, {@code remove(key, value)}, both {@code replace} methods,
 * {@code compute}, {@code computeIfAbsent}, {@code computeIfPresent} and {@code merge}, including
 * functions that return {@code null} (removal) or throw (the exception propagates and the map is
 * unchanged); {@code firstKey}, {@code lastKey} and the entry, key, floor, ceiling, higher, lower and
 * poll methods; {@code null} arguments; {@code equals} and {@code hashCode} as {@link Map}
 * defines them; {@code comparator()}; and the order of keys beyond ASCII. Each of
 * {@code equals}/{@code hashCode}, {@code toString} and {@code comparator()} is checked by tests of
 * its own and by no other, so a fault in one of them fails those tests alone.
 *
 * <h2>Assumptions</h2>
 * <ul>
 *   <li>Keys may be sorted by any comparator: the map promises the order {@link #keyOrder()}
 *       returns (natural ordering unless overridden). Expected results are computed by a
 *       {@link TreeMap} with that order holding the same entries, never with the map's own
 *       {@code comparator()}.</li>
 *   <li>The map accepts any string of valid Unicode as a key or value, including the empty
 *       string and supplementary characters; the tests use no unpaired surrogates.</li>
 *   <li>Like {@link java.util.concurrent.ConcurrentSkipListMap}, the map permits neither
 *       {@code null} keys nor {@code null} values: a map holding entries throws
 *       {@link NullPointerException} from a method given one; an empty map throws it or stores
 *       nothing. {@code remove(key, null)} throws it or returns {@code false}.</li>
 *   <li>No other thread changes the map during a test, so {@code size()} and bulk operations
 *       are exact.</li>
 * </ul>
 * What the map promises beyond this, such as the {@link java.util.AbstractMap} format of
 * {@code toString}, immutable snapshot entries, or a {@link NullPointerException} from
 * {@code floorKey(null)} on an empty map, it declares in {@link #features()}; see
 * {@link MapFeature}. Tests may be waived by name with a reason in {@link #waivers()}.
 */
public abstract class ConcurrentNavigableMapContract extends MapContractSupport {

    private static final String PRESENT = key(2);
    private static final String ABSENT = key(3);
    private static final String OTHER_PRESENT = key(4);
    private static final String OTHER_ABSENT = key(5);

    /** Creates the contract, to be subclassed on its own. */
    protected ConcurrentNavigableMapContract() {
    }

    /** Creates the contract as a nested class of {@code suite}. */
    ConcurrentNavigableMapContract(ConcurrentNavigableMapTck suite) {
        super(suite);
    }

    // ------------------------------------------------------------------ empty, one entry, many

    @Test
    public void newMapIsEmpty() {
        assertSameMap(expectedMap(), map, TestKeys.universe(), "empty map");
        assertNull(map.pollFirstEntry(), "pollFirstEntry() of an empty map");
        assertNull(map.pollLastEntry(), "pollLastEntry() of an empty map");
        assertNull(map.remove(PRESENT), "remove from an empty map");
    }

    @Test
    public void singleEntryIsStoredAndAnswersEveryQuery() {
        assertNull(map.put(PRESENT, valueOf(PRESENT)), "put of a new key returns null");
        TreeMap<String, String> expected = expectedMap();
        expected.put(PRESENT, valueOf(PRESENT));
        assertSameMap(expected, map, TestKeys.universe(), "one entry");
        assertEquals(PRESENT, map.firstKey());
        assertEquals(PRESENT, map.lastKey());
    }

    @Test
    public void manyEntriesAreStoredAndAnswerEveryQuery() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertSameMap(expected, map, TestKeys.universe(), "many entries");
    }

    @Test
    public void putReplacesTheValueAndReturnsThePreviousOne() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertEquals(valueOf(PRESENT), map.put(PRESENT, "second"));
        assertEquals("second", map.put(PRESENT, "third"));
        expected.put(PRESENT, "third");
        assertSameMap(expected, map, TestKeys.universe(), "after replacing a value");
    }

    @Test
    public void removeDeletesOnlyTheGivenKeyAndReturnsItsValue() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertNull(map.remove(ABSENT), "remove of an absent key");
        assertEquals(valueOf(PRESENT), map.remove(PRESENT));
        assertNull(map.remove(PRESENT), "second remove of the same key");
        expected.remove(PRESENT);
        assertSameMap(expected, map, TestKeys.universe(), "after remove");
    }

    @Test
    public void containsValueSeesOnlyCurrentValues() {
        assertFalse(map.containsValue("shared"), "empty map");
        map.put(key(0), "shared");
        map.put(PRESENT, "shared");
        map.put(OTHER_PRESENT, "other");
        assertTrue(map.containsValue("shared"));
        map.remove(key(0));
        assertTrue(map.containsValue("shared"), "another key still maps to the value");
        map.put(PRESENT, "changed");
        assertFalse(map.containsValue("shared"), "no key maps to the value any more");
        assertTrue(map.containsValue("changed"));
        assertTrue(map.containsValue("other"));
    }

    @Test
    public void clearRemovesEveryEntryAndLeavesTheMapUsable() {
        map.clear();
        assertTrue(map.isEmpty(), "clear of an empty map");
        fill(TestKeys.present());
        map.clear();
        assertSameMap(expectedMap(), map, TestKeys.universe(), "after clear");
        assertNull(map.put(PRESENT, "again"), "put after clear");
        assertEquals(1, map.size());
        assertEquals("again", map.get(PRESENT));
    }

    @Test
    public void putAllCopiesEveryEntryAndReplacesExistingValues() {
        TreeMap<String, String> expected = fill(TestKeys.present(5));
        map.putAll(Map.of());
        assertSameMap(expected, map, TestKeys.universe(), "after putAll of an empty map");
        Map<String, String> more = new HashMap<>();
        more.put(PRESENT, "replaced");
        more.put(ABSENT, "added");
        more.put(key(41), "added too");
        map.putAll(more);
        expected.putAll(more);
        assertSameMap(expected, map, TestKeys.universe(), "after putAll");
    }

    @Test
    public void emptyStringIsAValidKeyAndValue() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertNull(map.put("", ""));
        expected.put("", "");
        assertEquals("", map.get(""));
        assertTrue(map.containsKey(""));
        assertTrue(map.containsValue(""));
        List<String> probes = new ArrayList<>(TestKeys.universe());
        probes.add("");
        assertSameMap(expected, map, probes, "with the empty key");
        assertEquals("", map.remove(""));
        assertFalse(map.containsKey(""), "empty key after its removal");
    }

    @Test
    public void getOrDefaultReturnsTheDefaultOnlyForAbsentKeys() {
        assertEquals("default", map.getOrDefault(PRESENT, "default"), "empty map");
        fill(TestKeys.present());
        assertEquals(valueOf(PRESENT), map.getOrDefault(PRESENT, "default"));
        assertEquals("default", map.getOrDefault(ABSENT, "default"));
        assertNull(map.getOrDefault(ABSENT, null), "a null default is returned as given");
    }

    @Test
    public void forEachVisitsEveryEntryInKeyOrder() {
        map.forEach((k, v) -> fail("forEach on an empty map called the action"));
        TreeMap<String, String> expected = fill(TestKeys.present());
        List<Map.Entry<String, String>> visited = new ArrayList<>();
        map.forEach((k, v) -> visited.add(Map.entry(k, v)));
        assertEquals(entries(expected), visited);
    }

    @Test
    public void replaceAllAppliesTheFunctionToEveryEntry() {
        map.replaceAll((k, v) -> fail("replaceAll on an empty map called the function"));
        TreeMap<String, String> expected = fill(TestKeys.present());
        Map<String, String> arguments = new HashMap<>();
        map.replaceAll((k, v) -> {
            arguments.put(k, v);
            return v + "!";
        });
        assertEquals(expected, arguments, "the function is given every key with its value");
        expected.replaceAll((k, v) -> v + "!");
        assertSameMap(expected, map, TestKeys.universe(), "after replaceAll");
    }

    @Test
    public void replaceAllRejectsANullReplacement() {
        fill(TestKeys.present());
        assertThrows(NullPointerException.class, () -> map.replaceAll((k, v) -> null));
    }

    // ------------------------------------------------------------------ ConcurrentMap operations

    @Test
    public void putIfAbsentInsertsOnlyAbsentKeys() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertNull(map.putIfAbsent(ABSENT, "new"));
        assertEquals(valueOf(PRESENT), map.putIfAbsent(PRESENT, "ignored"));
        assertEquals("new", map.putIfAbsent(ABSENT, "ignored"));
        expected.put(ABSENT, "new");
        assertSameMap(expected, map, TestKeys.universe(), "after putIfAbsent");
    }

    @Test
    public void removeWithValueRemovesOnlyAMatchingEntry() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertFalse(map.remove(PRESENT, "other value"), "value does not match");
        assertFalse(map.remove(ABSENT, valueOf(ABSENT)), "key is absent");
        assertTrue(map.remove(PRESENT, valueOf(PRESENT)));
        assertFalse(map.remove(PRESENT, valueOf(PRESENT)), "second remove of the same entry");
        expected.remove(PRESENT);
        assertSameMap(expected, map, TestKeys.universe(), "after remove(key, value)");
    }

    @Test
    public void removeWithNullValueRemovesNothing() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        try {
            assertFalse(map.remove(PRESENT, null), "remove(key, null) returns false or throws NullPointerException");
        } catch (NullPointerException permitted) {
            // ConcurrentMap.remove(key, value) may throw it for a map that does not permit null values.
        }
        assertSameMap(expected, map, TestKeys.universe(), "after remove(key, null)");
    }

    @Test
    public void removeWithNullValueReturnsFalse() {
        assumeDeclared(MapFeature.REMOVE_WITH_NULL_VALUE_RETURNS_FALSE);
        fill(TestKeys.present());
        assertFalse(map.remove(PRESENT, null), "remove(key, null)");
    }

    @Test
    public void replaceReplacesOnlyExistingKeys() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertNull(map.replace(ABSENT, "ignored"), "replace of an absent key");
        assertEquals(valueOf(PRESENT), map.replace(PRESENT, "replaced"));
        expected.put(PRESENT, "replaced");
        assertSameMap(expected, map, TestKeys.universe(), "after replace(key, value)");
    }

    @Test
    public void replaceWithExpectedValueReplacesOnlyOnMatch() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertFalse(map.replace(ABSENT, valueOf(ABSENT), "ignored"), "key is absent");
        assertFalse(map.replace(PRESENT, "wrong", "ignored"), "value does not match");
        assertTrue(map.replace(PRESENT, valueOf(PRESENT), "replaced"));
        assertFalse(map.replace(PRESENT, valueOf(PRESENT), "ignored"), "old value no longer matches");
        assertTrue(map.replace(PRESENT, "replaced", "replaced"), "replacing a value by an equal one");
        expected.put(PRESENT, "replaced");
        assertSameMap(expected, map, TestKeys.universe(), "after replace(key, old, new)");
    }

    @Test
    public void computeInsertsReplacesAndRemoves() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        Set<String> calls = new HashSet<>();
        assertEquals("new", map.compute(ABSENT, (k, v) -> {
            calls.add(k + "=" + v);
            return "new";
        }));
        assertEquals(valueOf(PRESENT) + "!", map.compute(PRESENT, (k, v) -> {
            calls.add(k + "=" + v);
            return v + "!";
        }));
        assertEquals(Set.of(ABSENT + "=null", PRESENT + "=" + valueOf(PRESENT)), calls,
                "the function is given the key and its current value or null");
        assertNull(map.compute(OTHER_PRESENT, (k, v) -> null), "compute returning null");
        assertNull(map.compute(OTHER_ABSENT, (k, v) -> null), "compute returning null for an absent key");
        expected.put(ABSENT, "new");
        expected.put(PRESENT, valueOf(PRESENT) + "!");
        expected.remove(OTHER_PRESENT);
        assertSameMap(expected, map, TestKeys.universe(), "after compute");
    }

    @Test
    public void computeIfAbsentInsertsOnlyAbsentKeys() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertEquals(valueOf(PRESENT),
                map.computeIfAbsent(PRESENT, k -> fail("function called for a present key")));
        assertEquals("new:" + ABSENT, map.computeIfAbsent(ABSENT, k -> "new:" + k));
        assertNull(map.computeIfAbsent(OTHER_ABSENT, k -> null), "function returning null");
        expected.put(ABSENT, "new:" + ABSENT);
        assertSameMap(expected, map, TestKeys.universe(), "after computeIfAbsent");
    }

    @Test
    public void computeIfPresentReplacesOrRemovesOnlyPresentKeys() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertNull(map.computeIfPresent(ABSENT, (k, v) -> fail("function called for an absent key")));
        assertEquals(PRESENT + "/" + valueOf(PRESENT), map.computeIfPresent(PRESENT, (k, v) -> k + "/" + v));
        assertNull(map.computeIfPresent(OTHER_PRESENT, (k, v) -> null), "function returning null");
        expected.put(PRESENT, PRESENT + "/" + valueOf(PRESENT));
        expected.remove(OTHER_PRESENT);
        assertSameMap(expected, map, TestKeys.universe(), "after computeIfPresent");
    }

    @Test
    public void mergeInsertsCombinesAndRemoves() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertEquals("given", map.merge(ABSENT, "given", (a, b) -> fail("function called for an absent key")));
        assertEquals(valueOf(PRESENT) + "+given", map.merge(PRESENT, "given", (old, given) -> old + "+" + given));
        assertNull(map.merge(OTHER_PRESENT, "given", (old, given) -> null), "function returning null");
        expected.put(ABSENT, "given");
        expected.put(PRESENT, valueOf(PRESENT) + "+given");
        expected.remove(OTHER_PRESENT);
        assertSameMap(expected, map, TestKeys.universe(), "after merge");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failingFunctions")
    public void exceptionFromAFunctionPropagatesAndLeavesTheMapUnchanged(MapOperation operation) {
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertThrows(DeliberateFailure.class, () -> operation.apply(map));
        assertSameMap(expected, map, TestKeys.universe(), "after the function threw");
    }

    static Stream<Named<MapOperation>> failingFunctions() {
        Function<String, String> fail1 = k -> {
            throw new DeliberateFailure();
        };
        BiFunction<String, String, String> fail2 = (a, b) -> {
            throw new DeliberateFailure();
        };
        BiConsumer<String, String> failingAction = (k, v) -> {
            throw new DeliberateFailure();
        };
        return Stream.of(
                Named.of("compute on a present key", m -> m.compute(PRESENT, fail2)),
                Named.of("compute on an absent key", m -> m.compute(ABSENT, fail2)),
                Named.of("computeIfAbsent", m -> m.computeIfAbsent(ABSENT, fail1)),
                Named.of("computeIfPresent", m -> m.computeIfPresent(PRESENT, fail2)),
                Named.of("merge on a present key", m -> m.merge(PRESENT, "given", fail2)),
                Named.of("replaceAll", m -> m.replaceAll(fail2)),
                Named.of("forEach", m -> m.forEach(failingAction)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    public void nullKeysValuesAndFunctionsAreRejected(MapOperation operation) {
        try {
            operation.apply(map);
        } catch (NullPointerException permitted) {
            // The contract asks an empty map only to store nothing; see NULL_ARGUMENTS_REJECTED_WHEN_EMPTY.
        }
        assertTrue(map.isEmpty(), "an empty map must stay empty");
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertThrows(NullPointerException.class, () -> operation.apply(map), "on a map with entries");
        assertEquals(entries(expected), entries(map), "map must be unchanged");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    public void nullArgumentsAreRejectedEvenByAnEmptyMap(MapOperation operation) {
        assumeDeclared(MapFeature.NULL_ARGUMENTS_REJECTED_WHEN_EMPTY);
        assertThrows(NullPointerException.class, () -> operation.apply(map), "on an empty map");
        assertTrue(map.isEmpty(), "an empty map must stay empty");
    }

    static Stream<Named<MapOperation>> nullArguments() {
        BiFunction<String, String, String> keep = (a, b) -> b;
        return Stream.of(
                Named.of("get(null)", m -> m.get(null)),
                Named.of("getOrDefault(null, value)", m -> m.getOrDefault(null, "default")),
                Named.of("containsKey(null)", m -> m.containsKey(null)),
                Named.of("containsValue(null)", m -> m.containsValue(null)),
                Named.of("put(null, value)", m -> m.put(null, "value")),
                Named.of("put(key, null)", m -> m.put(PRESENT, null)),
                Named.of("putIfAbsent(null, value)", m -> m.putIfAbsent(null, "value")),
                Named.of("putIfAbsent(key, null)", m -> m.putIfAbsent(ABSENT, null)),
                Named.of("putAll(null)", m -> m.putAll(null)),
                Named.of("putAll(a map with a null key)", m -> m.putAll(singletonHashMap(null, "value"))),
                Named.of("putAll(a map with a null value)", m -> m.putAll(singletonHashMap(ABSENT, null))),
                Named.of("remove(null)", m -> m.remove(null)),
                Named.of("remove(null, value)", m -> m.remove(null, "value")),
                Named.of("replace(null, value)", m -> m.replace(null, "value")),
                Named.of("replace(key, null)", m -> m.replace(PRESENT, null)),
                Named.of("replace(null, old, new)", m -> m.replace(null, "old", "new")),
                Named.of("replace(key, null, new)", m -> m.replace(PRESENT, null, "new")),
                Named.of("replace(key, old, null)", m -> m.replace(PRESENT, valueOf(PRESENT), null)),
                Named.of("compute(null, function)", m -> m.compute(null, keep)),
                Named.of("compute(key, null)", m -> m.compute(PRESENT, null)),
                Named.of("computeIfAbsent(null, function)", m -> m.computeIfAbsent(null, k -> "value")),
                Named.of("computeIfAbsent(key, null)", m -> m.computeIfAbsent(ABSENT, null)),
                Named.of("computeIfPresent(null, function)", m -> m.computeIfPresent(null, keep)),
                Named.of("computeIfPresent(key, null)", m -> m.computeIfPresent(PRESENT, null)),
                Named.of("merge(null, value, function)", m -> m.merge(null, "value", keep)),
                Named.of("merge(key, null, function)", m -> m.merge(PRESENT, null, keep)),
                Named.of("merge(key, value, null)", m -> m.merge(PRESENT, "value", null)),
                Named.of("forEach(null)", m -> m.forEach(null)),
                Named.of("replaceAll(null)", m -> m.replaceAll(null)),
                Named.of("floorKey(null)", m -> m.floorKey(null)),
                Named.of("ceilingKey(null)", m -> m.ceilingKey(null)),
                Named.of("higherKey(null)", m -> m.higherKey(null)),
                Named.of("lowerKey(null)", m -> m.lowerKey(null)),
                Named.of("floorEntry(null)", m -> m.floorEntry(null)),
                Named.of("ceilingEntry(null)", m -> m.ceilingEntry(null)),
                Named.of("higherEntry(null)", m -> m.higherEntry(null)),
                Named.of("lowerEntry(null)", m -> m.lowerEntry(null)),
                Named.of("subMap(null, key)", m -> m.subMap(null, PRESENT)),
                Named.of("subMap(key, null)", m -> m.subMap(PRESENT, null)),
                Named.of("subMap(null, true, key, true)", m -> m.subMap(null, true, PRESENT, true)),
                Named.of("subMap(key, true, null, true)", m -> m.subMap(PRESENT, true, null, true)),
                Named.of("headMap(null)", m -> m.headMap(null)),
                Named.of("headMap(null, true)", m -> m.headMap(null, true)),
                Named.of("tailMap(null)", m -> m.tailMap(null)),
                Named.of("tailMap(null, true)", m -> m.tailMap(null, true)),
                Named.of("keySet().contains(null)", m -> m.keySet().contains(null)),
                Named.of("keySet().remove(null)", m -> m.keySet().remove(null)),
                Named.of("navigableKeySet().floor(null)", m -> m.navigableKeySet().floor(null)),
                Named.of("descendingKeySet().ceiling(null)", m -> m.descendingKeySet().ceiling(null)),
                Named.of("keySet().headSet(null)", m -> m.keySet().headSet(null)),
                Named.of("values().contains(null)", m -> m.values().contains(null)),
                Named.of("descendingMap().get(null)", m -> m.descendingMap().get(null)));
    }

    private static Map<String, String> singletonHashMap(String key, String value) {
        Map<String, String> map = new HashMap<>();
        map.put(key, value);
        return map;
    }

    // ------------------------------------------------------------------ navigation

    @Test
    public void pollFirstEntryRemovesEntriesInAscendingOrder() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        Map.Entry<String, String> first = copy(map.pollFirstEntry());
        assertEquals(expected.firstEntry(), first);
        map.put(first.getKey(), first.getValue());
        assertEquals(first, copy(map.pollFirstEntry()), "a key put back before the rest is polled first again");
        map.put(first.getKey(), first.getValue());
        assertEquals(entries(expected), pollAll(map::pollFirstEntry, expected.size()));
        assertTrue(map.isEmpty(), "map is empty once every entry is polled");
    }

    @Test
    public void pollLastEntryRemovesEntriesInDescendingOrder() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        Map.Entry<String, String> last = copy(map.pollLastEntry());
        assertEquals(expected.lastEntry(), last);
        map.put(last.getKey(), last.getValue());
        assertEquals(last, copy(map.pollLastEntry()), "a key put back after the rest is polled first again");
        map.put(last.getKey(), last.getValue());
        assertEquals(entries(expected.descendingMap()), pollAll(map::pollLastEntry, expected.size()));
        assertTrue(map.isEmpty(), "map is empty once every entry is polled");
    }

    private static List<Map.Entry<String, String>> pollAll(Supplier<Map.Entry<String, String>> poll, int expected) {
        List<Map.Entry<String, String>> polled = new ArrayList<>();
        for (Map.Entry<String, String> entry = poll.get(); entry != null; entry = poll.get()) {
            polled.add(copy(entry));
            if (polled.size() > expected) {
                fail("polled more entries than the map held: " + polled);
            }
        }
        return polled;
    }

    /** The navigation methods that return an entry, each given a key it finds an entry for. */
    private static Map<String, Function<NavigableMap<String, String>, Map.Entry<String, String>>> entrySources() {
        Map<String, Function<NavigableMap<String, String>, Map.Entry<String, String>>> sources = new LinkedHashMap<>();
        sources.put("firstEntry()", NavigableMap::firstEntry);
        sources.put("lastEntry()", NavigableMap::lastEntry);
        sources.put("floorEntry(present key)", m -> m.floorEntry(PRESENT));
        sources.put("ceilingEntry(absent key)", m -> m.ceilingEntry(ABSENT));
        sources.put("higherEntry(absent key)", m -> m.higherEntry(ABSENT));
        sources.put("lowerEntry(absent key)", m -> m.lowerEntry(ABSENT));
        sources.put("descendingMap().firstEntry()", m -> m.descendingMap().firstEntry());
        sources.put("pollFirstEntry()", NavigableMap::pollFirstEntry);
        sources.put("pollLastEntry()", NavigableMap::pollLastEntry);
        return sources;
    }

    @Test
    public void entriesReturnedByNavigationFollowTheEntryContract() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        EntryChecks.forEachEntry(entrySources(), expected, map, EntryChecks::assertEntryContract);
        assertSameMap(expected, map, TestKeys.universe(), "after the entry checks");
    }

    @Test
    public void entriesReturnedByNavigationAreImmutableSnapshots() {
        assumeDeclared(MapFeature.SNAPSHOT_ENTRIES);
        TreeMap<String, String> expected = fill(TestKeys.present());
        EntryChecks.forEachEntry(entrySources(), expected, map,
                (what, want, entry) -> EntryChecks.assertSnapshot(map, what, want, entry));
        assertSameMap(expected, map, TestKeys.universe(), "after the entry checks");
    }

    @Test
    public void entriesReturnedByNavigationPrintAsKeyEqualsValue() {
        assumeDeclared(MapFeature.KEY_EQUALS_VALUE_ENTRY_TO_STRING);
        EntryChecks.forEachEntry(entrySources(), fill(TestKeys.present()), map, EntryChecks::assertKeyEqualsValue);
    }

    // ------------------------------------------------------------------ order

    @Test
    public void comparatorImposesThePromisedKeyOrder() {
        List<String> probes = new ArrayList<>(TestKeys.universe());
        probes.addAll(TestKeys.UNICODE_KEYS);
        assertSameOrder(keyOrder(), map.comparator(), probes, "comparator() of a new map");
        fill(TestKeys.present());
        assertSameOrder(keyOrder(), map.comparator(), probes, "comparator() of a map with entries");
    }

    @Test
    public void keysBeyondAsciiAreOrderedConsistently() {
        TreeMap<String, String> expected = fill(TestKeys.UNICODE_KEYS);
        List<String> iterated = List.copyOf(map.keySet());
        assertEquals(quoteAll(List.copyOf(expected.keySet())), quoteAll(iterated),
                "iteration must follow the promised keyOrder()");
        assertEquals(iterated.get(0), map.firstKey());
        assertEquals(iterated.get(iterated.size() - 1), map.lastKey());
        List<String> upward = new ArrayList<>();
        for (String k = map.firstKey(); k != null; k = map.higherKey(k)) {
            upward.add(k);
            assertTrue(upward.size() <= iterated.size(), "higherKey() chain does not end");
        }
        assertEquals(iterated, upward, "walking with higherKey()");
        List<String> downward = new ArrayList<>();
        for (String k = map.lastKey(); k != null; k = map.lowerKey(k)) {
            downward.add(k);
            assertTrue(downward.size() <= iterated.size(), "lowerKey() chain does not end");
        }
        assertEquals(List.copyOf(expected.descendingKeySet()), downward, "walking with lowerKey()");
        for (String key : TestKeys.UNICODE_KEYS) {
            assertEquals(valueOf(key), map.get(key), "get(" + quote(key) + ")");
            assertEquals(key, map.ceilingKey(key), "ceilingKey(" + quote(key) + ")");
            assertEquals(key, map.floorKey(key), "floorKey(" + quote(key) + ")");
        }
        assertSameMap(expected, map, TestKeys.UNICODE_KEYS, "keys beyond ASCII");
    }

    // ------------------------------------------------------------------ equals, hashCode, toString

    @Test
    public void equalsAndHashCodeFollowTheMapContract() {
        assertEquals(0, map.hashCode(), "hashCode() of an empty map");
        assertTrue(map.equals(new HashMap<>()), "an empty map equals an empty HashMap");
        assertTrue(Map.of().equals(map), "an empty Map.of() equals an empty map");
        assertMapEqualsAndHashCode(expectedMap(), map, "empty map");
        TreeMap<String, String> expected = fill(TestKeys.present());
        Map<String, String> hashed = new HashMap<>(expected);
        assertTrue(map.equals(map), "equals itself");
        assertMapEqualsAndHashCode(expected, map, "map of many entries");
        int hashCode = 0;
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            hashCode += entry.getKey().hashCode() ^ entry.getValue().hashCode();
        }
        assertEquals(hashCode, map.hashCode(), "hashCode is the sum of the entries' hash codes");

        Map<String, Map<String, String>> different = new LinkedHashMap<>();
        different.put("another value", withChange(hashed, m -> m.put(PRESENT, "other")));
        different.put("an extra key", withChange(hashed, m -> m.put(ABSENT, valueOf(ABSENT))));
        different.put("a missing key", withChange(hashed, m -> m.remove(PRESENT)));
        different.put("no entries", Map.of());
        different.forEach((what, other) -> {
            assertFalse(map.equals(other), "equals a map with " + what);
            assertFalse(other.equals(map), "a map with " + what + " equals the map");
        });
        assertFalse(map.equals(null), "equals null");
        assertFalse(map.equals(expected.entrySet()), "equals its entry set");
        assertFalse(map.equals(List.copyOf(expected.keySet())), "equals a list");
    }

    private static Map<String, String> withChange(Map<String, String> original, Consumer<Map<String, String>> change) {
        Map<String, String> changed = new HashMap<>(original);
        change.accept(changed);
        return changed;
    }

    @Test
    public void equalsAnotherMapOfTheSameKindWithTheSameEntries() {
        ConcurrentNavigableMap<String, String> other = createMap();
        assertTrue(map.equals(other), "two empty maps");
        fill(TestKeys.present());
        TestKeys.present().forEach(k -> other.put(k, valueOf(k)));
        assertTrue(map.equals(other), "maps with the same entries");
        assertTrue(other.equals(map), "maps with the same entries, other way round");
        assertEquals(map.hashCode(), other.hashCode());
        other.put(PRESENT, "different");
        assertFalse(map.equals(other), "maps differing in one value");
        assertFalse(other.equals(map), "maps differing in one value, other way round");
    }

    @Test
    public void toStringListsEntriesInKeyOrder() {
        assumeDeclared(MapFeature.ABSTRACT_MAP_TO_STRING);
        assertEquals("{}", map.toString());
        map.put(PRESENT, valueOf(PRESENT));
        assertEquals("{" + PRESENT + "=" + valueOf(PRESENT) + "}", map.toString());
        TreeMap<String, String> expected = fill(TestKeys.present());
        StringJoiner joiner = new StringJoiner(", ", "{", "}");
        expected.forEach((k, v) -> joiner.add(k + "=" + v));
        assertEquals(joiner.toString(), map.toString());
        assertAbstractMapToString(expected, map, "map of many entries");
    }

    /** An operation on the map under test, named for the test report. */
    @FunctionalInterface
    interface MapOperation {
        /** Applies the operation to {@code map}. */
        void apply(ConcurrentNavigableMap<String, String> map);
    }

    /** Thrown by the functions of {@link #failingFunctions()}; nothing else throws it. */
    static final class DeliberateFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DeliberateFailure() {
            super("deliberate failure of a function given to the map");
        }
    }
}
