package io.levelparty.tck;

import static io.levelparty.tck.MapAssertions.assertAbstractMapToString;
import static io.levelparty.tck.MapAssertions.assertMapEqualsAndHashCode;
import static io.levelparty.tck.MapAssertions.assertSameMap;
import static io.levelparty.tck.MapAssertions.assertSameOrder;
import static io.levelparty.tck.MapAssertions.assertSameSet;
import static io.levelparty.tck.MapAssertions.assertSetEqualsAndHashCode;
import static io.levelparty.tck.MapAssertions.entries;
import static io.levelparty.tck.MapAssertions.plain;
import static io.levelparty.tck.MapAssertions.quote;
import static io.levelparty.tck.TestKeys.key;
import static io.levelparty.tck.TestKeys.valueOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Contract tests for the views of a {@link ConcurrentNavigableMap}{@code <String, String>}: sub,
 * head and tail maps with every combination of inclusive and exclusive bounds, descending maps,
 * views of views, {@code keySet}, {@code navigableKeySet}, {@code descendingKeySet},
 * {@code values} and {@code entrySet}.
 *
 * <p>Use it like {@link ConcurrentNavigableMapContract}: subclass it and implement
 * {@link #newMap()}. Each view is derived the same way from the map under test and from a
 * {@link TreeMap} with the same comparator and entries, and the two must agree on every query, on
 * the result of every change made through the view or through the map, and on the entries of both
 * afterwards. Bounds are chosen by position in the map's own order, so any comparator works.
 *
 * <p>{@code equals} and {@code hashCode} of views, their {@code toString} (where the map declares
 * {@link MapFeature#ABSTRACT_MAP_TO_STRING}) and their comparators are each checked by tests of
 * their own, and by no other.
 *
 * <p>Besides what {@link ConcurrentNavigableMapContract} assumes, it expects views to reject adding
 * through {@code keySet()}, {@code values()} and {@code entrySet()} with
 * {@link UnsupportedOperationException}, keys outside a view's range (on insertion, and as bounds
 * of a view of the view) and reversed bounds with {@link IllegalArgumentException}, and
 * {@code null} keys with {@link NullPointerException}.
 */
public abstract class NavigableViewsContract extends MapContractSupport {

    private static final List<Boolean> INCLUSIONS = List.of(true, false);

    /** Creates the contract, to be subclassed on its own. */
    protected NavigableViewsContract() {
    }

    /** Creates the contract as a nested class of {@code suite}. */
    NavigableViewsContract(ConcurrentNavigableMapTck suite) {
        super(suite);
    }

    static Stream<ViewShape> viewShapes() {
        return ViewShape.all().stream();
    }

    /** The shapes that derive a view, rather than return the map itself. */
    static Stream<ViewShape> derivedViewShapes() {
        return ViewShape.all().stream().filter(shape -> !shape.name().equals("map"));
    }

    static Stream<ViewShape> boundedViewShapes() {
        return ViewShape.allBounded().stream();
    }

    // ------------------------------------------------------------------ every view shape

    @ParameterizedTest(name = "{0}")
    @MethodSource("viewShapes")
    public void viewAgreesWithSnapshotWhenEmptyWithOneEntryAndWithMany(ViewShape shape) {
        List<String> u = sortedUniverse();
        Map<String, List<String>> contents = new LinkedHashMap<>();
        contents.put("empty map", List.of());
        contents.put("map of one entry", List.of(key(30)));
        contents.put("map of many entries", TestKeys.present());
        contents.forEach((description, keys) -> {
            map.clear();
            TreeMap<String, String> expected = fill(keys);
            NavigableMap<String, String> expectedView = shape.of(expected, u);
            ConcurrentNavigableMap<String, String> view = concurrentView(shape, u);
            String what = shape + " of " + description;
            assertSameMap(expectedView, view, u, what);
            assertSameMap(expectedView.descendingMap(), view.descendingMap(), u, what + ", descendingMap()");
            assertSameSet(expectedView.navigableKeySet(), view.keySet(), u, what + ", keySet()");
            assertSameSet(expectedView.navigableKeySet(), view.navigableKeySet(), u, what + ", navigableKeySet()");
            assertSameSet(expectedView.descendingKeySet(), view.descendingKeySet(), u, what + ", descendingKeySet()");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("derivedViewShapes")
    public void viewEqualsAndHashCodeFollowTheMapAndSetContracts(ViewShape shape) {
        TreeMap<String, String> expected = fill(TestKeys.present());
        NavigableMap<String, String> expectedView = shape.of(expected, sortedUniverse());
        NavigableMap<String, String> view = shape.of(map, sortedUniverse());
        assertMapEqualsAndHashCode(expectedView, view, shape.name());
        assertMapEqualsAndHashCode(expectedView.descendingMap(), view.descendingMap(), shape + ".descendingMap()");
        assertSetEqualsAndHashCode(expectedView.navigableKeySet(), view.navigableKeySet(), shape + ".navigableKeySet()");
        assertSetEqualsAndHashCode(expectedView.descendingKeySet(), view.descendingKeySet(), shape + ".descendingKeySet()");
        if (!expectedView.isEmpty()) {
            assertFalse(view.equals(expected.headMap(expected.firstKey(), true)), shape + ": equals a map of other entries");
            assertFalse(view.entrySet().equals(expectedView.keySet()), shape + ": entrySet() equals the key set");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("viewShapes")
    public void viewToStringFollowsAbstractMap(ViewShape shape) {
        assumeDeclared(MapFeature.ABSTRACT_MAP_TO_STRING);
        NavigableMap<String, String> expectedView = shape.of(fill(TestKeys.present()), sortedUniverse());
        NavigableMap<String, String> view = shape.of(map, sortedUniverse());
        assertAbstractMapToString(expectedView, view, shape.name());
        assertAbstractMapToString(expectedView.descendingMap(), view.descendingMap(), shape + ".descendingMap()");
        assertEquals(expectedView.navigableKeySet().toString(), view.navigableKeySet().toString(),
                shape + ".navigableKeySet().toString()");
        assertEquals(expectedView.descendingKeySet().toString(), view.descendingKeySet().toString(),
                shape + ".descendingKeySet().toString()");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("viewShapes")
    public void viewComparatorImposesTheOrderOfTheView(ViewShape shape) {
        List<String> u = sortedUniverse();
        TreeMap<String, String> expected = fill(TestKeys.present());
        NavigableMap<String, String> expectedView = shape.of(expected, u);
        NavigableMap<String, String> view = shape.of(map, u);
        assertSameOrder(expectedView.comparator(), view.comparator(), u, shape + ".comparator()");
        assertSameOrder(expectedView.descendingMap().comparator(), view.descendingMap().comparator(), u,
                shape + ".descendingMap().comparator()");
        assertSameOrder(expectedView.navigableKeySet().comparator(), view.navigableKeySet().comparator(), u,
                shape + ".navigableKeySet().comparator()");
        assertSameOrder(expectedView.descendingKeySet().comparator(), view.descendingKeySet().comparator(), u,
                shape + ".descendingKeySet().comparator()");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("viewShapes")
    public void changesThroughTheViewOrTheMapShowInBoth(ViewShape shape) {
        List<String> u = sortedUniverse();
        for (Change change : CHANGES) {
            map.clear();
            TreeMap<String, String> expected = fill(TestKeys.present());
            NavigableMap<String, String> expectedView = shape.of(expected, u);
            NavigableMap<String, String> view = shape.of(map, u);
            Picks picks = Picks.of(expectedView, rangeOf(shape, u), expected, u);
            Object want;
            try {
                want = plain(change.action().apply(expected, expectedView, picks));
            } catch (NotApplicable e) {
                continue;
            }
            String what = shape + ": " + change.name;
            assertEquals(want, plain(change.action().apply(map, view, picks)), what + ": result");
            assertEquals(entries(expected), entries(map), what + ": entries of the map afterwards");
            assertEquals(entries(expectedView), entries(view), what + ": entries of the view afterwards");
            assertEquals(expectedView.size(), view.size(), what + ": size() of the view afterwards");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("boundedViewShapes")
    public void insertingAKeyOutsideTheRangeOfAViewIsRejected(ViewShape shape) {
        List<String> u = sortedUniverse();
        TreeMap<String, String> expected = fill(TestKeys.present());
        NavigableMap<String, String> view = shape.of(map, u);
        NavigableMap<String, String> range = rangeOf(shape, u);
        List<String> outside = u.stream().filter(k -> !range.containsKey(k)).toList();
        assertFalse(outside.isEmpty(), "a bounded view excludes some keys");
        for (String key : outside) {
            Map<String, Executable> insertions = new LinkedHashMap<>();
            insertions.put("put", () -> view.put(key, "new"));
            insertions.put("putIfAbsent", () -> view.putIfAbsent(key, "new"));
            insertions.put("putAll", () -> view.putAll(Map.of(key, "new")));
            insertions.put("compute", () -> view.compute(key, (k, v) -> "new"));
            insertions.put("computeIfAbsent", () -> view.computeIfAbsent(key, k -> "new"));
            insertions.put("merge", () -> view.merge(key, "new", (a, b) -> b));
            insertions.forEach((name, insertion) -> assertThrows(IllegalArgumentException.class, insertion,
                    () -> shape + ": " + name + " of " + quote(key) + ", outside the range"));
            assertNull(view.get(key), () -> shape + ": get of " + quote(key) + ", outside the range");
            assertFalse(view.containsKey(key), () -> shape + ": containsKey of " + quote(key) + ", outside the range");
            assertNull(view.remove(key), () -> shape + ": remove of " + quote(key) + ", outside the range");
            assertFalse(view.remove(key, valueOf(key)), () -> shape + ": remove(key, value) outside the range");
        }
        assertEquals(entries(expected), entries(map), shape + ": map must be unchanged");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("viewShapes")
    public void viewRejectsNullKeysAndValues(ViewShape shape) {
        List<String> u = sortedUniverse();
        TreeMap<String, String> expected = fill(TestKeys.present());
        ConcurrentNavigableMap<String, String> view = concurrentView(shape, u);
        String bound = u.get(30);
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("get(null)", () -> view.get(null));
        calls.put("containsKey(null)", () -> view.containsKey(null));
        calls.put("containsValue(null)", () -> view.containsValue(null));
        calls.put("put(null, value)", () -> view.put(null, "value"));
        calls.put("putIfAbsent(null, value)", () -> view.putIfAbsent(null, "value"));
        calls.put("remove(null)", () -> view.remove(null));
        calls.put("floorKey(null)", () -> view.floorKey(null));
        calls.put("ceilingKey(null)", () -> view.ceilingKey(null));
        calls.put("higherEntry(null)", () -> view.higherEntry(null));
        calls.put("lowerEntry(null)", () -> view.lowerEntry(null));
        calls.put("subMap(null, true, key, true)", () -> view.subMap(null, true, bound, true));
        calls.put("subMap(key, true, null, true)", () -> view.subMap(bound, true, null, true));
        calls.put("headMap(null, true)", () -> view.headMap(null, true));
        calls.put("tailMap(null, true)", () -> view.tailMap(null, true));
        calls.put("keySet().contains(null)", () -> view.keySet().contains(null));
        calls.put("navigableKeySet().floor(null)", () -> view.navigableKeySet().floor(null));
        NavigableMap<String, String> range = rangeOf(shape, u);
        if (!range.isEmpty()) {
            calls.put("put(key in range, null)", () -> view.put(range.firstKey(), null));
        }
        calls.forEach((name, call) -> assertThrows(NullPointerException.class, call, shape + ": " + name));
        assertEquals(entries(expected), entries(map), shape + ": map must be unchanged");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("viewShapes")
    public void collectionViewsDoNotSupportAdding(ViewShape shape) {
        List<String> u = sortedUniverse();
        TreeMap<String, String> expected = fill(TestKeys.present());
        ConcurrentNavigableMap<String, String> view = concurrentView(shape, u);
        String key = TestKeys.absent().get(0);
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("keySet().add", () -> view.keySet().add(key));
        calls.put("keySet().addAll", () -> view.keySet().addAll(List.of(key)));
        calls.put("descendingKeySet().add", () -> view.descendingKeySet().add(key));
        calls.put("values().add", () -> view.values().add(valueOf(key)));
        calls.put("entrySet().add", () -> view.entrySet().add(Map.entry(key, valueOf(key))));
        calls.forEach((name, call) -> assertThrows(UnsupportedOperationException.class, call, shape + ": " + name));
        assertEquals(entries(expected), entries(map), shape + ": map must be unchanged");
    }

    // ------------------------------------------------------------------ bounds

    @Test
    public void subMapsAgreeWithSnapshotForEveryBoundInclusion() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        List<String> u = sortedUniverse();
        int[][] bounds = {{0, 60}, {10, 50}, {11, 49}, {20, 21}, {30, 30}, {0, 0}, {60, 60}};
        for (int[] b : bounds) {
            String from = u.get(b[0]);
            String to = u.get(b[1]);
            for (boolean fromIn : INCLUSIONS) {
                for (boolean toIn : INCLUSIONS) {
                    String range = "(u[" + b[0] + "], " + fromIn + ", u[" + b[1] + "], " + toIn + ")";
                    String reversed = "(u[" + b[1] + "], " + toIn + ", u[" + b[0] + "], " + fromIn + ")";
                    assertSameMap(expected.subMap(from, fromIn, to, toIn),
                            map.subMap(from, fromIn, to, toIn), u, "subMap" + range);
                    assertSameMap(expected.descendingMap().subMap(to, toIn, from, fromIn),
                            map.descendingMap().subMap(to, toIn, from, fromIn), u, "descendingMap().subMap" + reversed);
                    assertSameSet(expected.navigableKeySet().subSet(from, fromIn, to, toIn),
                            map.navigableKeySet().subSet(from, fromIn, to, toIn), u, "navigableKeySet().subSet" + range);
                    assertSameSet(expected.descendingKeySet().subSet(to, toIn, from, fromIn),
                            map.descendingKeySet().subSet(to, toIn, from, fromIn), u, "descendingKeySet().subSet" + reversed);
                }
            }
        }
    }

    @Test
    public void headAndTailMapsAgreeWithSnapshotForEveryBoundInclusion() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        List<String> u = sortedUniverse();
        for (int position : new int[] {0, 15, 30, 31, 60}) {
            String bound = u.get(position);
            for (boolean inclusive : INCLUSIONS) {
                String args = "(u[" + position + "], " + inclusive + ")";
                assertSameMap(expected.headMap(bound, inclusive), map.headMap(bound, inclusive), u, "headMap" + args);
                assertSameMap(expected.tailMap(bound, inclusive), map.tailMap(bound, inclusive), u, "tailMap" + args);
                assertSameMap(expected.descendingMap().headMap(bound, inclusive),
                        map.descendingMap().headMap(bound, inclusive), u, "descendingMap().headMap" + args);
                assertSameMap(expected.descendingMap().tailMap(bound, inclusive),
                        map.descendingMap().tailMap(bound, inclusive), u, "descendingMap().tailMap" + args);
                assertSameSet(expected.navigableKeySet().headSet(bound, inclusive),
                        map.navigableKeySet().headSet(bound, inclusive), u, "navigableKeySet().headSet" + args);
                assertSameSet(expected.navigableKeySet().tailSet(bound, inclusive),
                        map.navigableKeySet().tailSet(bound, inclusive), u, "navigableKeySet().tailSet" + args);
            }
        }
    }

    @Test
    public void rangeViewsWithoutInclusionFlagsIncludeTheLowerBoundAndExcludeTheUpper() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        List<String> u = sortedUniverse();
        String from = u.get(10);
        String to = u.get(50);
        assertSameMap(expected.subMap(from, true, to, false), map.subMap(from, to), u, "subMap(from, to)");
        assertSameMap(expected.headMap(to, false), map.headMap(to), u, "headMap(to)");
        assertSameMap(expected.tailMap(from, true), map.tailMap(from), u, "tailMap(from)");
        NavigableMap<String, String> descending = expected.descendingMap();
        assertSameMap(descending.subMap(to, true, from, false), map.descendingMap().subMap(to, from), u,
                "descendingMap().subMap(to, from)");
        assertSameMap(descending.headMap(from, false), map.descendingMap().headMap(from), u,
                "descendingMap().headMap(from)");
        assertSameMap(descending.tailMap(to, true), map.descendingMap().tailMap(to), u,
                "descendingMap().tailMap(to)");
        assertSameSortedSet(expected.navigableKeySet().subSet(from, true, to, false), map.keySet().subSet(from, to),
                "keySet().subSet(from, to)");
        assertSameSortedSet(expected.navigableKeySet().headSet(to, false), map.keySet().headSet(to),
                "keySet().headSet(to)");
        assertSameSortedSet(expected.navigableKeySet().tailSet(from, true), map.keySet().tailSet(from),
                "keySet().tailSet(from)");
        assertSameSortedSet(expected.descendingKeySet().subSet(to, true, from, false),
                map.descendingKeySet().subSet(to, from), "descendingKeySet().subSet(to, from)");
    }

    private static void assertSameSortedSet(SortedSet<String> expected, SortedSet<String> actual, String what) {
        assertEquals(List.copyOf(expected), List.copyOf(actual), what + ": elements in order");
        assertEquals(expected.size(), actual.size(), what + ": size()");
        assertEquals(expected.first(), actual.first(), what + ": first()");
        assertEquals(expected.last(), actual.last(), what + ": last()");
    }

    @Test
    public void reversedBoundsAreRejectedButEqualBoundsAreNot() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        List<String> u = sortedUniverse();
        String low = u.get(20);
        String high = u.get(40);
        for (boolean fromIn : INCLUSIONS) {
            for (boolean toIn : INCLUSIONS) {
                String flags = " with inclusion " + fromIn + ", " + toIn;
                assertThrows(IllegalArgumentException.class, () -> map.subMap(high, fromIn, low, toIn),
                        "subMap(high, low)" + flags);
                assertThrows(IllegalArgumentException.class, () -> map.descendingMap().subMap(low, fromIn, high, toIn),
                        "descendingMap().subMap(low, high)" + flags);
                assertThrows(IllegalArgumentException.class, () -> map.navigableKeySet().subSet(high, fromIn, low, toIn),
                        "navigableKeySet().subSet(high, low)" + flags);
                assertThrows(IllegalArgumentException.class, () -> map.descendingKeySet().subSet(low, fromIn, high, toIn),
                        "descendingKeySet().subSet(low, high)" + flags);
                assertSameMap(expected.subMap(low, fromIn, low, toIn), map.subMap(low, fromIn, low, toIn), u,
                        "subMap(key, key)" + flags);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> map.subMap(high, low), "subMap(high, low)");
        assertThrows(IllegalArgumentException.class, () -> map.keySet().subSet(high, low), "keySet().subSet(high, low)");
    }

    @Test
    public void rangeOfAViewOfAViewMustLieWithinTheOuterRange() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        List<String> u = sortedUniverse();
        ConcurrentNavigableMap<String, String> closedOpen = map.subMap(u.get(10), true, u.get(50), false);
        ConcurrentNavigableMap<String, String> openClosed = map.subMap(u.get(10), false, u.get(50), true);
        Map<String, Executable> outside = new LinkedHashMap<>();
        outside.put("[u10, u50).subMap(u5, true, u20, true)", () -> closedOpen.subMap(u.get(5), true, u.get(20), true));
        outside.put("[u10, u50).subMap(u20, true, u55, true)", () -> closedOpen.subMap(u.get(20), true, u.get(55), true));
        outside.put("[u10, u50).headMap(u50, true)", () -> closedOpen.headMap(u.get(50), true));
        outside.put("[u10, u50).headMap(u55)", () -> closedOpen.headMap(u.get(55)));
        outside.put("[u10, u50).tailMap(u5)", () -> closedOpen.tailMap(u.get(5)));
        outside.put("[u10, u50).descendingMap().headMap(u5)", () -> closedOpen.descendingMap().headMap(u.get(5)));
        outside.put("[u10, u50).descendingMap().tailMap(u55)", () -> closedOpen.descendingMap().tailMap(u.get(55)));
        outside.put("(u10, u50].tailMap(u10, true)", () -> openClosed.tailMap(u.get(10), true));
        outside.put("(u10, u50].headMap(u55, false)", () -> openClosed.headMap(u.get(55), false));
        outside.put("[u10, u50) key set .headSet(u55)",
                () -> map.navigableKeySet().subSet(u.get(10), true, u.get(50), false).headSet(u.get(55)));
        outside.forEach((what, call) -> assertThrows(IllegalArgumentException.class, call, what));

        NavigableMap<String, String> expectedClosedOpen = expected.subMap(u.get(10), true, u.get(50), false);
        NavigableMap<String, String> expectedOpenClosed = expected.subMap(u.get(10), false, u.get(50), true);
        assertSameMap(expectedClosedOpen.headMap(u.get(50), false), closedOpen.headMap(u.get(50), false), u,
                "[u10, u50).headMap(u50, false)");
        assertSameMap(expectedClosedOpen.tailMap(u.get(10), true), closedOpen.tailMap(u.get(10), true), u,
                "[u10, u50).tailMap(u10, true)");
        assertSameMap(expectedClosedOpen.subMap(u.get(10), true, u.get(50), false),
                closedOpen.subMap(u.get(10), true, u.get(50), false), u, "[u10, u50).subMap(u10, true, u50, false)");
        assertSameMap(expectedOpenClosed.tailMap(u.get(10), false), openClosed.tailMap(u.get(10), false), u,
                "(u10, u50].tailMap(u10, false)");
        assertSameMap(expectedOpenClosed.headMap(u.get(50), true), openClosed.headMap(u.get(50), true), u,
                "(u10, u50].headMap(u50, true)");
    }

    // ------------------------------------------------------------------ keySet, values, entrySet

    @Test
    public void viewsTakenFromAnEmptyMapFollowLaterChanges() {
        List<String> u = sortedUniverse();
        ConcurrentNavigableMap<String, String> sub = map.subMap(u.get(10), true, u.get(50), false);
        NavigableMap<String, String> descending = map.descendingMap();
        NavigableSet<String> keys = map.keySet();
        Collection<String> values = map.values();
        Set<Map.Entry<String, String>> entrySet = map.entrySet();
        assertTrue(sub.isEmpty() && descending.isEmpty() && keys.isEmpty() && values.isEmpty() && entrySet.isEmpty(),
                "views of an empty map are empty");
        TreeMap<String, String> expected = fill(TestKeys.present());
        expected.remove(u.get(20));
        map.remove(u.get(20));
        expected.put(u.get(21), "added");
        map.put(u.get(21), "added");
        assertSameMap(expected.subMap(u.get(10), true, u.get(50), false), sub, u, "subMap taken before the changes");
        assertSameMap(expected.descendingMap(), descending, u, "descendingMap() taken before the changes");
        assertSameSet(expected.navigableKeySet(), keys, u, "keySet() taken before the changes");
        assertEquals(List.copyOf(expected.values()), List.copyOf(values), "values() taken before the changes");
        assertEquals(entries(expected), plain(List.copyOf(entrySet)), "entrySet() taken before the changes");
    }

    @Test
    public void collectionViewsAnswerBulkQueries() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        String present = key(2);
        String absent = key(3);

        NavigableSet<String> keys = map.keySet();
        assertTrue(keys.containsAll(List.of()), "keySet().containsAll(nothing)");
        assertTrue(keys.containsAll(List.of(present, key(4))), "keySet().containsAll(present keys)");
        assertFalse(keys.containsAll(List.of(present, absent)), "keySet().containsAll(with an absent key)");

        Set<Map.Entry<String, String>> entrySet = map.entrySet();
        List<Map.Entry<String, String>> entries = entries(expected);
        assertTrue(entrySet.containsAll(expected.entrySet()), "entrySet().containsAll(its entries)");
        assertFalse(entrySet.containsAll(List.of(Map.entry(present, "wrong"))), "entrySet().containsAll(wrong value)");
        assertEquals(entries, plain(entrySet.toArray()), "entrySet().toArray()");
        assertEquals(entries, plain(entrySet.toArray(new Map.Entry<?, ?>[0])), "entrySet().toArray(new Map.Entry[0])");

        Collection<String> values = map.values();
        List<String> expectedValues = List.copyOf(expected.values());
        assertTrue(values.containsAll(expectedValues), "values().containsAll(its values)");
        assertFalse(values.containsAll(List.of(valueOf(present), "absent value")), "values().containsAll(absent value)");
        assertEquals(expectedValues, List.of(values.toArray()), "values().toArray()");
        assertEquals(expectedValues, List.of(values.toArray(new String[0])), "values().toArray(new String[0])");
        String[] roomy = new String[expectedValues.size() + 1];
        Arrays.fill(roomy, "filler");
        assertSame(roomy, values.toArray(roomy), "values().toArray(a) with room fills a");
        assertNull(roomy[expectedValues.size()], "values().toArray(a) ends the values with null");
    }

    @Test
    public void entrySetContainsAndRemovesOnlyMatchingEntries() {
        TreeMap<String, String> expected = fill(TestKeys.present());
        String present = key(2);
        Set<Map.Entry<String, String>> entrySet = map.entrySet();
        assertTrue(entrySet.contains(Map.entry(present, valueOf(present))));
        assertTrue(entrySet.contains(new AbstractMap.SimpleEntry<>(present, valueOf(present))),
                "contains any Map.Entry with the key and value");
        assertFalse(entrySet.contains(Map.entry(present, "wrong")), "contains with the wrong value");
        assertFalse(entrySet.contains(Map.entry(key(3), valueOf(key(3)))), "contains of an absent key");
        assertFalse(entrySet.contains(present), "contains of a key instead of an entry");
        assertFalse(entrySet.remove(Map.entry(present, "wrong")), "remove with the wrong value");
        assertFalse(entrySet.remove(present), "remove of a key instead of an entry");
        assertTrue(entrySet.remove(Map.entry(present, valueOf(present))));
        expected.remove(present);
        assertSameMap(expected, map, TestKeys.universe(), "after entrySet().remove");
    }

    @Test
    public void valuesKeepDuplicatesAndRemoveOneMappingAtATime() {
        TreeMap<String, String> expected = expectedMap();
        expected.put(key(0), "same");
        expected.put(key(2), "same");
        expected.put(key(4), "other");
        expected.forEach(map::put);
        assertEquals(List.copyOf(expected.values()), List.copyOf(map.values()), "values() in key order, with duplicates");
        assertTrue(map.values().remove("same"));
        assertEquals(2, map.size(), "values().remove removes one mapping");
        assertTrue(map.containsValue("same"), "the other mapping to the value stays");
        assertFalse(map.values().remove("absent value"));
        assertTrue(map.values().removeIf("same"::equals));
        assertEquals(List.of(Map.entry(key(4), "other")), entries(map));
    }

    // ------------------------------------------------------------------ helpers

    private ConcurrentNavigableMap<String, String> concurrentView(ViewShape shape, List<String> u) {
        NavigableMap<String, String> view = shape.of(map, u);
        assertInstanceOf(ConcurrentNavigableMap.class, view,
                shape + " of a ConcurrentNavigableMap must be a ConcurrentNavigableMap");
        return (ConcurrentNavigableMap<String, String>) view;
    }

    /** Keys a change works on, chosen for one view shape. */
    private record Picks(List<String> inside, List<String> insideAbsent, List<String> outside, List<String> universe) {

        static Picks of(NavigableMap<String, String> view, NavigableMap<String, String> range,
                NavigableMap<String, String> expected, List<String> u) {
            return new Picks(List.copyOf(view.keySet()),
                    range.keySet().stream().filter(k -> !expected.containsKey(k)).toList(),
                    expected.keySet().stream().filter(k -> !range.containsKey(k)).toList(), u);
        }

        String inside(int i) {
            return pick(inside, i);
        }

        String middle() {
            return pick(inside, inside.size() / 2);
        }

        String insideAbsent(int i) {
            return pick(insideAbsent, i);
        }

        String outside(int i) {
            return pick(outside, i);
        }

        /** Every third key of the universe: a mix of stored and absent keys, inside and outside. */
        List<String> someKeys() {
            return IntStream.range(0, universe.size()).filter(i -> i % 3 == 0).mapToObj(universe::get).toList();
        }

        private static String pick(List<String> keys, int i) {
            if (i >= keys.size()) {
                throw new NotApplicable();
            }
            return keys.get(i);
        }
    }

    /** Thrown while choosing keys for a change that needs more keys than the view holds. */
    private static final class NotApplicable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotApplicable() {
            super(null, null, false, false);
        }
    }

    /** Makes a change to {@code map} or to {@code view}, a view of it, and returns its result. */
    @FunctionalInterface
    private interface ChangeAction {
        Object apply(NavigableMap<String, String> map, NavigableMap<String, String> view, Picks picks);
    }

    /** A named change, made through a view or through the map, whose result is compared. */
    private record Change(String name, ChangeAction action) {
    }

    private static List<Object> removeEveryOther(Iterator<?> iterator) {
        return MapAssertions.removeEveryOther(iterator, TestKeys.UNIVERSE_SIZE);
    }

    private static final Predicate<String> THIRD = s -> Math.floorMod(s.hashCode(), 3) == 0;

    /**
     * The changes each view shape is put through: every writing method of the view and of its key
     * set, values, entry set and their iterators, then writes to the map the view must reflect.
     * Changes needing a key the view lacks (an absent key in a one-key range, say) are skipped.
     */
    private static final List<Change> CHANGES = List.of(
            new Change("view.put(new key)", (m, v, p) -> v.put(p.insideAbsent(0), "new")),
            new Change("view.put(existing key)", (m, v, p) -> v.put(p.inside(0), "changed")),
            new Change("view.putAll(keys in range)", (m, v, p) -> {
                v.putAll(Map.of(p.insideAbsent(0), "new", p.inside(0), "changed"));
                return null;
            }),
            new Change("view.remove(key)", (m, v, p) -> v.remove(p.middle())),
            new Change("view.remove(key outside the range)", (m, v, p) -> v.remove(p.outside(0))),
            new Change("view.remove(key, value)", (m, v, p) -> v.remove(p.inside(0), valueOf(p.inside(0)))),
            new Change("view.remove(key, other value)", (m, v, p) -> v.remove(p.inside(0), "other")),
            new Change("view.putIfAbsent(new key)", (m, v, p) -> v.putIfAbsent(p.insideAbsent(0), "new")),
            new Change("view.putIfAbsent(existing key)", (m, v, p) -> v.putIfAbsent(p.inside(0), "ignored")),
            new Change("view.replace(key, value)", (m, v, p) -> v.replace(p.inside(0), "replaced")),
            new Change("view.replace(key, old, new)", (m, v, p) -> v.replace(p.inside(0), valueOf(p.inside(0)), "new")),
            new Change("view.compute(existing key)", (m, v, p) -> v.compute(p.inside(0), (k, old) -> old + "!")),
            new Change("view.computeIfPresent(key) returning null", (m, v, p) -> v.computeIfPresent(p.inside(0), (k, old) -> null)),
            new Change("view.computeIfAbsent(new key)", (m, v, p) -> v.computeIfAbsent(p.insideAbsent(0), k -> "new")),
            new Change("view.merge(existing key)", (m, v, p) -> v.merge(p.inside(0), "+", String::concat)),
            new Change("view.merge(new key)", (m, v, p) -> v.merge(p.insideAbsent(0), "new", String::concat)),
            new Change("view.replaceAll", (m, v, p) -> {
                v.replaceAll((k, old) -> k + "/" + old);
                return null;
            }),
            new Change("view.forEach", (m, v, p) -> {
                List<String> visited = new ArrayList<>();
                v.forEach((k, value) -> visited.add(k + "=" + value));
                return visited;
            }),
            new Change("view.pollFirstEntry()", (m, v, p) -> v.pollFirstEntry()),
            new Change("view.pollLastEntry()", (m, v, p) -> v.pollLastEntry()),
            new Change("view.descendingMap().pollFirstEntry()", (m, v, p) -> v.descendingMap().pollFirstEntry()),
            new Change("view.keySet().remove(key)", (m, v, p) -> v.keySet().remove(p.inside(0))),
            new Change("view.keySet().remove(key outside the range)", (m, v, p) -> v.keySet().remove(p.outside(0))),
            new Change("view.navigableKeySet().pollFirst()", (m, v, p) -> v.navigableKeySet().pollFirst()),
            new Change("view.navigableKeySet().pollLast()", (m, v, p) -> v.navigableKeySet().pollLast()),
            new Change("view.descendingKeySet().pollFirst()", (m, v, p) -> v.descendingKeySet().pollFirst()),
            new Change("view.values().remove(value)", (m, v, p) -> v.values().remove(valueOf(p.middle()))),
            new Change("view.entrySet().remove(entry)", (m, v, p) -> v.entrySet().remove(Map.entry(p.inside(0), valueOf(p.inside(0))))),
            new Change("view.entrySet().remove(entry with other value)", (m, v, p) -> v.entrySet().remove(Map.entry(p.inside(0), "other"))),
            new Change("view.keySet().removeIf", (m, v, p) -> v.keySet().removeIf(THIRD)),
            new Change("view.values().removeIf", (m, v, p) -> v.values().removeIf(THIRD)),
            new Change("view.entrySet().removeIf", (m, v, p) -> v.entrySet().removeIf(e -> THIRD.test(e.getKey()))),
            new Change("view.keySet().removeAll", (m, v, p) -> v.keySet().removeAll(p.someKeys())),
            new Change("view.keySet().retainAll", (m, v, p) -> v.keySet().retainAll(p.someKeys())),
            new Change("view.values().removeAll", (m, v, p) -> v.values().removeAll(values(p.someKeys()))),
            new Change("view.values().retainAll", (m, v, p) -> v.values().retainAll(values(p.someKeys()))),
            new Change("view.entrySet().removeAll", (m, v, p) -> v.entrySet().removeAll(entriesOf(p.someKeys()))),
            new Change("view.entrySet().retainAll", (m, v, p) -> v.entrySet().retainAll(entriesOf(p.someKeys()))),
            new Change("view.keySet().iterator() removing every other key", (m, v, p) -> removeEveryOther(v.keySet().iterator())),
            new Change("view.values().iterator() removing every other value", (m, v, p) -> removeEveryOther(v.values().iterator())),
            new Change("view.entrySet().iterator() removing every other entry", (m, v, p) -> removeEveryOther(v.entrySet().iterator())),
            new Change("view.descendingKeySet().iterator() removing every other key",
                    (m, v, p) -> removeEveryOther(v.descendingKeySet().iterator())),
            new Change("view.navigableKeySet().descendingIterator() removing every other key",
                    (m, v, p) -> removeEveryOther(v.navigableKeySet().descendingIterator())),
            new Change("view.descendingMap().entrySet().iterator() removing every other entry",
                    (m, v, p) -> removeEveryOther(v.descendingMap().entrySet().iterator())),
            new Change("view.clear()", (m, v, p) -> {
                v.clear();
                return null;
            }),
            new Change("view.keySet().clear()", (m, v, p) -> {
                v.keySet().clear();
                return null;
            }),
            new Change("view.headMap(middle key, true).clear()", (m, v, p) -> {
                v.headMap(p.middle(), true).clear();
                return null;
            }),
            new Change("view.tailMap(middle key, false).pollFirstEntry()", (m, v, p) -> v.tailMap(p.middle(), false).pollFirstEntry()),
            new Change("map.put(new key in range)", (m, v, p) -> m.put(p.insideAbsent(0), "new")),
            new Change("map.remove(key in range)", (m, v, p) -> m.remove(p.middle())),
            new Change("map.put(key outside range)", (m, v, p) -> m.put(p.outside(0), "changed")),
            new Change("map.pollFirstEntry()", (m, v, p) -> m.pollFirstEntry()),
            new Change("map.pollLastEntry()", (m, v, p) -> m.pollLastEntry()),
            new Change("map.clear()", (m, v, p) -> {
                m.clear();
                return null;
            }));

    private static List<String> values(List<String> keys) {
        return keys.stream().map(TestKeys::valueOf).toList();
    }

    private static List<Map.Entry<String, String>> entriesOf(List<String> keys) {
        return keys.stream().map(k -> Map.entry(k, valueOf(k))).toList();
    }
}
