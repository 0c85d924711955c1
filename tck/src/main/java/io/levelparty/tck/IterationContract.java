package io.levelparty.tck;

import static io.levelparty.tck.MapAssertions.assertWeaklyConsistent;
import static io.levelparty.tck.MapAssertions.drain;
import static io.levelparty.tck.MapAssertions.entries;
import static io.levelparty.tck.MapAssertions.orderOf;
import static io.levelparty.tck.MapAssertions.plain;
import static io.levelparty.tck.MapAssertions.removeEveryOther;
import static io.levelparty.tck.TestKeys.key;
import static io.levelparty.tck.TestKeys.valueOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.Spliterator;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Contract tests for the iterators of a {@link ConcurrentNavigableMap}{@code <String, String>} and
 * its views: order, exhaustion, {@link Iterator#remove()}, the entries they return, streams, weak
 * consistency while the map changes, and traversals of a few thousand entries.
 *
 * <p>Use it like {@link ConcurrentNavigableMapContract}: subclass it and implement
 * {@link #newMap()}. Iterators must be <em>weakly consistent</em>, as those of
 * {@link java.util.concurrent.ConcurrentSkipListMap} are: they never throw
 * {@link java.util.ConcurrentModificationException}, return keys in strictly increasing order of
 * their view, never return a key twice, and return every key that was present, in range, from the
 * iterator's creation to the end of the traversal; keys added or removed meanwhile may or may not be
 * returned. {@code remove()} removes the key last returned, and throws
 * {@link IllegalStateException} before {@code next()} and when called twice in a row. Entries
 * returned by iterators hold the mapping they were returned for; a map declaring
 * {@link MapFeature#SNAPSHOT_ENTRIES} is also checked to return immutable snapshots. Expected orders
 * come from {@link TreeMap}s in the promised {@link #keyOrder()}, never from the comparators of the
 * map under test.
 *
 * <p>The large-map tests store {@value #LARGE} entries and choose range bounds at multiples of 256
 * and next to them, so an implementation that fetches entries in pages of such sizes crosses page
 * boundaries in every direction and has bounds fall exactly on them.
 */
public abstract class IterationContract extends MapContractSupport {

    /** Number of entries the large-map tests store. */
    static final int LARGE = 3000;

    private static final int[] PAGE_EDGES = {0, 1, 255, 256, 257, 511, 512, 513, 767, 768, 1023, 1024, 2047, 2048, 2998, 2999};

    private static final int[][] PAGE_RANGES = {
        {0, 255}, {0, 256}, {255, 256}, {255, 257}, {256, 512}, {511, 1024}, {1, 2998}, {0, 2999}, {1024, 2048},
        {256, 256}, {2999, 2999}};

    /** Creates the contract, to be subclassed on its own. */
    protected IterationContract() {
    }

    /** Creates the contract as a nested class of {@code suite}. */
    IterationContract(ConcurrentNavigableMapTck suite) {
        super(suite);
    }

    /** What a traversal of a view returns. */
    enum Kind {
        KEY_SET("keySet().iterator()", false),
        NAVIGABLE_KEY_SET("navigableKeySet().iterator()", false),
        DESCENDING_KEY_SET("descendingKeySet().iterator()", true),
        DESCENDING_ITERATOR("navigableKeySet().descendingIterator()", true),
        VALUES("values().iterator()", false),
        ENTRY_SET("entrySet().iterator()", false);

        private final String call;
        private final boolean reversed;

        Kind(String call, boolean reversed) {
            this.call = call;
            this.reversed = reversed;
        }
    }

    /**
     * An iterator over one kind of element of one view shape.
     *
     * @param shape the view iterated
     * @param kind  the elements returned
     */
    record IteratorSource(ViewShape shape, Kind kind) {

        Iterator<?> open(NavigableMap<String, String> map, List<String> sortedUniverse) {
            NavigableMap<String, String> view = shape.of(map, sortedUniverse);
            return switch (kind) {
                case KEY_SET -> view.keySet().iterator();
                case NAVIGABLE_KEY_SET -> view.navigableKeySet().iterator();
                case DESCENDING_KEY_SET -> view.descendingKeySet().iterator();
                case DESCENDING_ITERATOR -> view.navigableKeySet().descendingIterator();
                case VALUES -> view.values().iterator();
                case ENTRY_SET -> view.entrySet().iterator();
            };
        }

        /**
         * Returns the order in which the iterator returns keys, given the {@link TreeMap} of expected
         * entries: the tested map's comparators are checked elsewhere, never relied on.
         */
        Comparator<String> order(TreeMap<String, String> expected, List<String> sortedUniverse) {
            Comparator<String> order = orderOf(shape.of(expected, sortedUniverse).comparator());
            return kind.reversed ? order.reversed() : order;
        }

        /** Returns the key of an element, checking that an entry holds the value stored under its key. */
        @SuppressWarnings("unchecked")
        String keyOf(Object element) {
            return switch (kind) {
                case VALUES -> TestKeys.keyOfValue((String) element);
                case ENTRY_SET -> {
                    Map.Entry<String, String> entry = (Map.Entry<String, String>) element;
                    assertEquals(valueOf(entry.getKey()), entry.getValue(), () -> this + ": value of " + entry.getKey());
                    yield entry.getKey();
                }
                default -> (String) element;
            };
        }

        @Override
        public String toString() {
            return (shape.name().equals("map") ? "" : shape.name() + ".") + kind.call;
        }
    }

    static Stream<IteratorSource> iteratorSources() {
        List<IteratorSource> sources = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            sources.add(new IteratorSource(ViewShape.named("map"), kind));
        }
        ViewShape descending = ViewShape.named("descendingMap()");
        ViewShape sub = ViewShape.named("subMap(u[10], true, u[50], false)");
        ViewShape descendingSub = ViewShape.named("subMap(u[10], true, u[50], true).descendingMap()");
        sources.add(new IteratorSource(descending, Kind.KEY_SET));
        sources.add(new IteratorSource(descending, Kind.VALUES));
        sources.add(new IteratorSource(descending, Kind.ENTRY_SET));
        sources.add(new IteratorSource(sub, Kind.KEY_SET));
        sources.add(new IteratorSource(sub, Kind.ENTRY_SET));
        sources.add(new IteratorSource(sub, Kind.DESCENDING_KEY_SET));
        sources.add(new IteratorSource(descendingSub, Kind.ENTRY_SET));
        sources.add(new IteratorSource(descendingSub, Kind.DESCENDING_ITERATOR));
        sources.add(new IteratorSource(ViewShape.named("headMap(u[30], false)"), Kind.VALUES));
        sources.add(new IteratorSource(ViewShape.named("tailMap(u[31], true)"), Kind.KEY_SET));
        sources.add(new IteratorSource(ViewShape.named("descendingMap().subMap(u[50], true, u[10], false)"), Kind.KEY_SET));
        return sources.stream();
    }

    // ------------------------------------------------------------------ every iterator

    @ParameterizedTest(name = "{0}")
    @MethodSource("iteratorSources")
    public void iteratorOfAnEmptyMapIsExhausted(IteratorSource source) {
        Iterator<?> iterator = source.open(map, sortedUniverse());
        assertFalse(iterator.hasNext(), "hasNext()");
        assertThrows(NoSuchElementException.class, iterator::next, "next()");
        assertThrows(IllegalStateException.class, iterator::remove, "remove()");
        assertFalse(iterator.hasNext(), "hasNext() after next() failed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("iteratorSources")
    public void iteratorReturnsEveryElementInOrderThenIsExhausted(IteratorSource source) {
        List<String> u = sortedUniverse();
        for (List<String> keys : List.of(List.of(key(30)), TestKeys.present())) {
            map.clear();
            TreeMap<String, String> expected = fill(keys);
            Object want = plain(drain(source.open(expected, u), keys.size(), "expected"));
            Iterator<?> iterator = source.open(map, u);
            List<Object> got = new ArrayList<>();
            while (iterator.hasNext()) {
                assertTrue(iterator.hasNext(), "hasNext() called twice must not skip an element");
                got.add(plain(iterator.next()));
                assertTrue(got.size() <= keys.size(), "iterator returned more elements than the map holds");
            }
            String what = source + " over " + keys.size() + " keys";
            assertEquals(want, got, what);
            assertFalse(iterator.hasNext(), what + ": hasNext() once exhausted");
            assertThrows(NoSuchElementException.class, iterator::next, what + ": next() once exhausted");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("iteratorSources")
    public void iteratorRemoveDeletesTheElementLastReturned(IteratorSource source) {
        List<String> u = sortedUniverse();
        TreeMap<String, String> expected = fill(TestKeys.present());
        assertEquals(removeEveryOther(source.open(expected, u), TestKeys.UNIVERSE_SIZE), removeEveryOther(source.open(map, u), TestKeys.UNIVERSE_SIZE),
                source + ": elements removed");
        assertEquals(entries(expected), entries(map), source + ": entries after removing every other element");
        removeEveryOther(source.open(expected, u), TestKeys.UNIVERSE_SIZE);
        removeEveryOther(source.open(map, u), TestKeys.UNIVERSE_SIZE);
        assertEquals(entries(expected), entries(map), source + ": entries after removing again");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("iteratorSources")
    public void iteratorRemoveIsIllegalBeforeNextAndTwiceInARow(IteratorSource source) {
        List<String> u = sortedUniverse();
        TreeMap<String, String> expected = fill(TestKeys.present());
        Iterator<?> iterator = source.open(map, u);
        assertThrows(IllegalStateException.class, iterator::remove, "remove() before next()");
        assertEquals(entries(expected), entries(map), "a failed remove() must change nothing");
        assertTrue(iterator.hasNext(), "the view holds entries");
        String first = source.keyOf(iterator.next());
        iterator.remove();
        assertThrows(IllegalStateException.class, iterator::remove, "remove() twice in a row");
        String second = source.keyOf(iterator.next());
        iterator.remove();
        expected.remove(first);
        expected.remove(second);
        assertEquals(entries(expected), entries(map), "exactly the two keys returned are removed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("iteratorSources")
    public void forEachRemainingVisitsTheRestInOrder(IteratorSource source) {
        List<String> u = sortedUniverse();
        TreeMap<String, String> expected = fill(TestKeys.present());
        Object want = plain(drain(source.open(expected, u), expected.size(), "expected"));
        Iterator<?> iterator = source.open(map, u);
        List<Object> got = new ArrayList<>();
        got.add(plain(iterator.next()));
        iterator.forEachRemaining(element -> got.add(plain(element)));
        assertEquals(want, got);
        assertFalse(iterator.hasNext(), "hasNext() after forEachRemaining");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("iteratorSources")
    public void iteratorIsWeaklyConsistentWhileTheMapChanges(IteratorSource source) {
        List<String> u = sortedUniverse();
        TreeMap<String, String> expected = fill(TestKeys.present());
        Comparator<String> order = source.order(expected, u);
        Set<String> inRange = new HashSet<>(rangeOf(source.shape(), u).keySet());
        List<String> before = expected.keySet().stream().filter(inRange::contains).sorted(order).toList();
        assertTrue(before.size() >= 10, "the view holds enough keys for this test");

        Iterator<?> iterator = source.open(map, u);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seen.add(source.keyOf(iterator.next()));
        }
        assertEquals(before.subList(0, 5), seen, source + ": the first keys returned, before any change");
        String cursor = seen.get(seen.size() - 1);
        List<String> absentBehind = absentInRange(expected, inRange, order, k -> order.compare(k, cursor) < 0);
        List<String> absentAhead = absentInRange(expected, inRange, order, k -> order.compare(k, cursor) > 0);
        List<String> presentAhead = before.stream().filter(k -> order.compare(k, cursor) > 0).toList();
        Set<String> added = new HashSet<>();
        added.addAll(absentBehind.subList(0, Math.min(2, absentBehind.size())));
        added.addAll(absentAhead.subList(0, Math.min(2, absentAhead.size())));
        added.addAll(absentAhead.subList(Math.max(0, absentAhead.size() - 1), absentAhead.size()));
        added.forEach(k -> map.put(k, valueOf(k)));
        Set<String> removedUnseen = new LinkedHashSet<>(
                List.of(presentAhead.get(0), presentAhead.get(3), presentAhead.get(presentAhead.size() - 1)));
        removedUnseen.forEach(map::remove);
        map.remove(seen.get(1));
        map.remove(cursor);

        seen.addAll(drain(iterator, before.size() + added.size(), source.toString()).stream().map(source::keyOf).toList());
        List<String> mustSee = before.stream().filter(k -> !removedUnseen.contains(k)).toList();
        Set<String> mayContain = new HashSet<>(before);
        mayContain.addAll(added);
        assertWeaklyConsistent(seen, order, mustSee, mayContain, source.toString());
    }

    private static List<String> absentInRange(NavigableMap<String, String> stored, Set<String> inRange,
            Comparator<String> order, Predicate<String> where) {
        return inRange.stream().filter(k -> !stored.containsKey(k)).filter(where).sorted(order).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("iteratorSources")
    public void iteratorSurvivesClearingTheMap(IteratorSource source) {
        List<String> u = sortedUniverse();
        TreeMap<String, String> expected = fill(TestKeys.present());
        Comparator<String> order = source.order(expected, u);
        Iterator<?> iterator = source.open(map, u);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seen.add(source.keyOf(iterator.next()));
        }
        List<String> seenBeforeClear = List.copyOf(seen);
        map.clear();
        seen.addAll(drain(iterator, expected.size(), source.toString()).stream().map(source::keyOf).toList());
        assertWeaklyConsistent(seen, order, seenBeforeClear, expected.keySet(), source + " across clear()");
        assertTrue(map.isEmpty(), "map after clear()");
    }

    // ------------------------------------------------------------------ entries and streams

    /** The first entry of the entry set iterator of each of a few views, by name. */
    private static Map<String, Function<NavigableMap<String, String>, Map.Entry<String, String>>> iteratedEntries(
            List<String> u) {
        Map<String, Function<NavigableMap<String, String>, NavigableMap<String, String>>> views = new LinkedHashMap<>();
        views.put("entrySet()", m -> m);
        views.put("descendingMap().entrySet()", NavigableMap::descendingMap);
        views.put("subMap(u[10], true, u[50], false).entrySet()", m -> m.subMap(u.get(10), true, u.get(50), false));
        views.put("subMap(u[10], true, u[50], false).descendingMap().entrySet()",
                m -> m.subMap(u.get(10), true, u.get(50), false).descendingMap());
        Map<String, Function<NavigableMap<String, String>, Map.Entry<String, String>>> sources = new LinkedHashMap<>();
        views.forEach((what, view) -> sources.put(what, m -> view.apply(m).entrySet().iterator().next()));
        return sources;
    }

    @Test
    public void entriesReturnedByIteratorsFollowTheEntryContract() {
        EntryChecks.forEachEntry(iteratedEntries(sortedUniverse()), fill(TestKeys.present()), map,
                EntryChecks::assertEntryContract);
    }

    @Test
    public void entriesReturnedByIteratorsAreImmutableSnapshots() {
        assumeDeclared(MapFeature.SNAPSHOT_ENTRIES);
        EntryChecks.forEachEntry(iteratedEntries(sortedUniverse()), fill(TestKeys.present()), map,
                (what, want, entry) -> EntryChecks.assertSnapshot(map, what, want, entry));
    }

    @Test
    public void entriesReturnedByIteratorsPrintAsKeyEqualsValue() {
        assumeDeclared(MapFeature.KEY_EQUALS_VALUE_ENTRY_TO_STRING);
        EntryChecks.forEachEntry(iteratedEntries(sortedUniverse()), fill(TestKeys.present()), map,
                EntryChecks::assertKeyEqualsValue);
    }

    @Test
    public void streamsFollowIterationOrder() {
        List<String> u = sortedUniverse();
        TreeMap<String, String> expected = fill(TestKeys.present());
        NavigableMap<String, String> expectedSub = expected.subMap(u.get(10), true, u.get(50), false);
        ConcurrentNavigableMap<String, String> sub = map.subMap(u.get(10), true, u.get(50), false);
        assertEquals(List.copyOf(expected.keySet()), map.keySet().stream().toList(), "keySet().stream()");
        assertEquals(List.copyOf(expected.values()), map.values().stream().toList(), "values().stream()");
        assertEquals(entries(expected), plain(map.entrySet().stream().toList()), "entrySet().stream()");
        assertEquals(List.copyOf(expected.descendingKeySet()), map.descendingKeySet().stream().toList(),
                "descendingKeySet().stream()");
        assertEquals(List.copyOf(expectedSub.keySet()), sub.keySet().stream().toList(), "subMap(...).keySet().stream()");
        assertEquals(entries(expectedSub.descendingMap()), plain(sub.descendingMap().entrySet().stream().toList()),
                "subMap(...).descendingMap().entrySet().stream()");
    }

    // ------------------------------------------------------------------ large maps

    private TreeMap<String, String> fillLarge() {
        TreeMap<String, String> expected = expectedMap();
        TestKeys.present(LARGE).forEach(k -> expected.put(k, valueOf(k)));
        map.putAll(expected);
        assertEquals(LARGE, map.size(), "size() after putAll of " + LARGE + " entries");
        return expected;
    }

    @Test
    public void largeMapIteratesInOrderAcrossPageBoundaries() {
        TreeMap<String, String> expected = fillLarge();
        assertEquals(entries(expected), entries(map), "entrySet()");
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(map.keySet()), "keySet()");
        assertEquals(List.copyOf(expected.values()), List.copyOf(map.values()), "values()");
        assertEquals(List.copyOf(expected.descendingKeySet()), List.copyOf(map.descendingKeySet()), "descendingKeySet()");
        assertEquals(entries(expected.descendingMap()), entries(map.descendingMap()), "descendingMap()");
        List<String> descending = new ArrayList<>();
        map.navigableKeySet().descendingIterator().forEachRemaining(descending::add);
        assertEquals(List.copyOf(expected.descendingKeySet()), descending, "navigableKeySet().descendingIterator()");
        assertEquals(expected.firstKey(), map.firstKey());
        assertEquals(expected.lastKey(), map.lastKey());
        assertEquals(LARGE, map.keySet().toArray().length, "keySet().toArray()");
        assertEquals(List.copyOf(expected.keySet()), map.keySet().parallelStream().toList(), "keySet().parallelStream()");
        assertEquals(LARGE, map.entrySet().stream().count(), "entrySet().stream().count()");
    }

    @Test
    public void largeMapRangeViewsWithBoundsOnPageBoundaries() {
        TreeMap<String, String> expected = fillLarge();
        Comparator<String> order = keyOrder();
        List<String> keys = List.copyOf(expected.keySet());
        List<Function<Integer, String>> boundKinds = List.of(keys::get, i -> keys.get(i) + "+");
        for (Function<Integer, String> bound : boundKinds) {
            for (int[] range : PAGE_RANGES) {
                String from = bound.apply(range[0]);
                String to = bound.apply(range[1]);
                if (order.compare(from, to) > 0) {
                    continue;
                }
                for (boolean fromIn : List.of(true, false)) {
                    for (boolean toIn : List.of(true, false)) {
                        assertSameTraversal(expected.subMap(from, fromIn, to, toIn), map.subMap(from, fromIn, to, toIn),
                                "subMap(" + from + ", " + fromIn + ", " + to + ", " + toIn + ")");
                    }
                }
            }
        }
        for (int edge : PAGE_EDGES) {
            String bound = keys.get(edge);
            for (boolean inclusive : List.of(true, false)) {
                String args = "(" + bound + ", " + inclusive + ")";
                assertSameTraversal(expected.headMap(bound, inclusive), map.headMap(bound, inclusive), "headMap" + args);
                assertSameTraversal(expected.tailMap(bound, inclusive), map.tailMap(bound, inclusive), "tailMap" + args);
                assertSameTraversal(expected.descendingMap().headMap(bound, inclusive),
                        map.descendingMap().headMap(bound, inclusive), "descendingMap().headMap" + args);
            }
        }
    }

    private static void assertSameTraversal(NavigableMap<String, String> expected, NavigableMap<String, String> actual,
            String what) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), () -> what + ": keys");
        assertEquals(List.copyOf(expected.descendingKeySet()), List.copyOf(actual.descendingKeySet()),
                () -> what + ": keys descending");
        assertEquals(expected.size(), actual.size(), () -> what + ": size()");
        if (!expected.isEmpty()) {
            assertEquals(expected.firstEntry(), MapAssertions.copy(actual.firstEntry()), () -> what + ": firstEntry()");
            assertEquals(expected.lastEntry(), MapAssertions.copy(actual.lastEntry()), () -> what + ": lastEntry()");
        }
    }

    @Test
    public void largeMapIteratorRemoveAcrossPageBoundaries() {
        TreeMap<String, String> expected = fillLarge();
        Iterator<String> iterator = map.keySet().iterator();
        for (int i = 0; iterator.hasNext(); i++) {
            assertTrue(i < LARGE, "iterator returned more keys than the map holds");
            String key = iterator.next();
            if (i % 2 == 0) {
                iterator.remove();
                expected.remove(key);
            }
        }
        assertEquals(LARGE / 2, map.size(), "size() after removing every other key");
        assertEquals(entries(expected), entries(map), "entries after removing every other key");
        List<String> keys = List.copyOf(expected.keySet());
        Iterator<String> descending = map.subMap(keys.get(100), true, keys.get(900), false).descendingKeySet().iterator();
        int removed = 0;
        while (descending.hasNext()) {
            expected.remove(descending.next());
            descending.remove();
            removed++;
            assertTrue(removed <= 800, "iterator returned more keys than the range holds");
        }
        assertEquals(800, removed, "keys in the range");
        assertEquals(entries(expected), entries(map), "entries after emptying a range backwards");
    }

    @Test
    public void largeMapIteratorsAreWeaklyConsistentAcrossPageBoundaries() {
        List<String> sorted = MapAssertions.sorted(TestKeys.present(LARGE), keyOrder());
        String low = sorted.get(100);
        String high = sorted.get(2900);
        Map<String, Function<NavigableMap<String, String>, NavigableSet<String>>> views = new LinkedHashMap<>();
        views.put("navigableKeySet()", NavigableMap::navigableKeySet);
        views.put("descendingKeySet()", NavigableMap::descendingKeySet);
        views.put("subMap(k[100], true, k[2900], false).navigableKeySet()",
                m -> m.subMap(low, true, high, false).navigableKeySet());
        views.put("descendingMap().subMap(k[2900], true, k[100], true).navigableKeySet()",
                m -> m.descendingMap().subMap(high, true, low, true).navigableKeySet());
        views.forEach((what, view) -> {
            map.clear();
            NavigableSet<String> expectedKeys = view.apply(fillLarge());
            List<String> before = List.copyOf(expectedKeys);
            Map<String, Integer> position = new HashMap<>();
            for (int i = 0; i < before.size(); i++) {
                position.put(before.get(i), i);
            }
            NavigableSet<String> keys = view.apply(map);
            Set<String> removedUnseen = new HashSet<>();
            Set<String> added = new HashSet<>();
            List<String> seen = new ArrayList<>();
            Iterator<String> iterator = keys.iterator();
            while (iterator.hasNext()) {
                String key = iterator.next();
                seen.add(key);
                assertTrue(seen.size() <= before.size() + added.size(), what + ": iterator does not end");
                Integer at = position.get(key);
                if (at != null && at % 100 == 0) {
                    changeAround(before, at, removedUnseen, added);
                }
            }
            List<String> mustSee = before.stream().filter(k -> !removedUnseen.contains(k)).toList();
            Set<String> mayContain = new HashSet<>(before);
            mayContain.addAll(added);
            assertWeaklyConsistent(seen, orderOf(expectedKeys.comparator()), mustSee, mayContain, what);
        });
    }

    /**
     * Changes the map under test around position {@code at} of a traversal of {@code keys}: removes
     * a key 300 ahead (recorded in {@code removedUnseen}) and one 50 behind, and adds a key just after
     * the keys 150 ahead and 20 behind, next to them in the map's order (recorded in {@code added}).
     */
    private void changeAround(List<String> keys, int at, Set<String> removedUnseen, Set<String> added) {
        if (at + 300 < keys.size()) {
            String ahead = keys.get(at + 300);
            map.remove(ahead);
            removedUnseen.add(ahead);
        }
        if (at >= 50) {
            map.remove(keys.get(at - 50));
        }
        for (int offset : new int[] {150, -20}) {
            if (at + offset >= 0 && at + offset < keys.size()) {
                String key = keys.get(at + offset) + "+";
                map.put(key, valueOf(key));
                added.add(key);
            }
        }
    }
}
