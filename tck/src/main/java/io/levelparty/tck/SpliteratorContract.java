package io.levelparty.tck;

import static io.levelparty.tck.MapAssertions.orderOf;
import static io.levelparty.tck.MapAssertions.plain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Spliterator;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Contract tests for the {@link Spliterator}s of the key sets, values and entry sets of a
 * {@link ConcurrentNavigableMap}{@code <String, String>} and of its sub, head, tail and descending
 * maps, and for the streams built on them.
 *
 * <p>Use it like {@link ConcurrentNavigableMapContract}: subclass it and implement
 * {@link #newMap()}. What it requires of every map:
 * <ul>
 *   <li>the spliterators of {@code keySet()}, {@code navigableKeySet()} and
 *       {@code descendingKeySet()} report {@link Spliterator#DISTINCT}, {@link Spliterator#SORTED}
 *       and {@link Spliterator#ORDERED}, as {@link java.util.SortedSet#spliterator()} requires,
 *       and their {@link Spliterator#getComparator() comparator} imposes the order of the set:
 *       {@code null} stands for natural ordering, and a descending set's comparator is
 *       descending;</li>
 *   <li>the spliterators of {@code entrySet()} report {@link Spliterator#DISTINCT}, as
 *       {@link java.util.Set#spliterator()} requires;</li>
 *   <li>every spliterator returns each element of its collection once; {@code trySplit} divides
 *       them between the two spliterators (the prefix to the one returned, if
 *       {@link Spliterator#ORDERED}), and neither estimates more elements than the estimate before
 *       the split; {@code tryAdvance} and {@code forEachRemaining} return the same elements, the
 *       ones of the view's iterator, and nothing once exhausted; a {@link Spliterator#SIZED}
 *       estimate is exact;</li>
 *   <li>{@code stream()} and {@code parallelStream()} return those elements, in order where the
 *       spliterator reports {@link Spliterator#ORDERED}.</li>
 * </ul>
 * That the spliterators of the map's {@code values()} and {@code entrySet()} also report
 * {@link Spliterator#ORDERED} is a promise of the map's own, {@link MapFeature#ORDERED_SPLITERATORS}.
 * Expected elements come from the same view of a {@link TreeMap} in the promised
 * {@link #keyOrder()}. Characteristics are checked on every view shape the other contracts use,
 * traversals on six of them (ascending and descending, bounded on both sides and on one).
 */
public abstract class SpliteratorContract extends MapContractSupport {

    /** How deep a test splits a spliterator's parts at most. */
    private static final int SPLIT_DEPTH = 6;

    /**
     * The views whose elements the traversal tests read: ascending and descending, bounded on
     * both sides and on one; every shape is checked for its characteristics, which costs no read.
     */
    private static final List<ViewShape> TRAVERSED = List.of(ViewShape.named("map"),
            ViewShape.named("descendingMap()"), ViewShape.named("subMap(u[11], false, u[49], true)"),
            ViewShape.named("subMap(u[10], true, u[50], true).descendingMap()"),
            ViewShape.named("headMap(u[30], false)"), ViewShape.named("descendingMap().tailMap(u[30], false)"));

    /** Creates the contract, to be subclassed on its own. */
    protected SpliteratorContract() {
    }

    /** Creates the contract as a nested class of {@code suite}. */
    SpliteratorContract(ConcurrentNavigableMapTck suite) {
        super(suite);
    }

    /** The collection of a view whose spliterator a test takes. */
    enum Source {
        KEY_SET("keySet()", true, NavigableMap::keySet),
        NAVIGABLE_KEY_SET("navigableKeySet()", true, NavigableMap::navigableKeySet),
        DESCENDING_KEY_SET("descendingKeySet()", true, NavigableMap::descendingKeySet),
        VALUES("values()", false, NavigableMap::values),
        ENTRY_SET("entrySet()", false, NavigableMap::entrySet);

        private final String call;
        private final boolean keys;
        private final Function<NavigableMap<String, String>, Collection<?>> collection;

        Source(String call, boolean keys, Function<NavigableMap<String, String>, Collection<?>> collection) {
            this.call = call;
            this.keys = keys;
            this.collection = collection;
        }

        Collection<?> of(NavigableMap<String, String> view) {
            return collection.apply(view);
        }

        @Override
        public String toString() {
            return call;
        }
    }

    static Stream<Source> sources() {
        return Stream.of(Source.values());
    }

    /** The map under test filled with the stored test keys, and the same entries in a TreeMap. */
    private TreeMap<String, String> filled() {
        return fill(TestKeys.present());
    }

    private List<Object> expectedElements(TreeMap<String, String> expected, ViewShape shape, Source source) {
        return new ArrayList<>((List<?>) plain(source.of(shape.of(expected, sortedUniverse()))));
    }

    private Spliterator<?> spliterator(ViewShape shape, Source source) {
        return source.of(shape.of(map, sortedUniverse())).spliterator();
    }

    @Test
    public void spliteratorsReportTheCharacteristicsTheirCollectionsRequire() {
        TreeMap<String, String> expected = filled();
        List<String> probes = new ArrayList<>(sortedUniverse());
        probes.addAll(TestKeys.UNICODE_KEYS);
        for (ViewShape shape : ViewShape.all()) {
            for (Source source : Source.values()) {
                String what = shape + "." + source + ".spliterator()";
                Spliterator<?> spliterator = spliterator(shape, source);
                if (source == Source.VALUES) {
                    continue;
                }
                assertTrue(spliterator.hasCharacteristics(Spliterator.DISTINCT), what + " must report DISTINCT");
                if (!source.keys) {
                    continue;
                }
                assertTrue(spliterator.hasCharacteristics(Spliterator.SORTED), what + " must report SORTED");
                assertTrue(spliterator.hasCharacteristics(Spliterator.ORDERED), what + " must report ORDERED");
                Comparator<String> order = orderOf(shape.of(expected, sortedUniverse()).comparator());
                Comparator<String> viewOrder = source == Source.DESCENDING_KEY_SET ? order.reversed() : order;
                @SuppressWarnings("unchecked")
                Comparator<? super String> reported = (Comparator<? super String>) spliterator.getComparator();
                MapAssertions.assertSameOrder(viewOrder, reported, probes,
                        what + ".getComparator()" + (reported == null ? " (null: natural ordering)" : ""));
            }
        }
    }

    @Test
    public void spliteratorsOfValuesAndEntriesAreOrdered() {
        assumeDeclared(MapFeature.ORDERED_SPLITERATORS);
        filled();
        assertTrue(map.values().spliterator().hasCharacteristics(Spliterator.ORDERED),
                "values().spliterator() must report ORDERED");
        assertTrue(map.entrySet().spliterator().hasCharacteristics(Spliterator.ORDERED),
                "entrySet().spliterator() must report ORDERED");
    }

    /** A check of the collection {@code source} of one view: {@code what} names it, {@code want} holds its elements. */
    @FunctionalInterface
    private interface ViewCheck {
        void check(ViewShape shape, String what, List<Object> want);
    }

    /** Fills the map and applies {@code check} to the collection {@code source} of each traversed view. */
    private void checkTraversedViews(Source source, ViewCheck check) {
        TreeMap<String, String> expected = filled();
        for (ViewShape shape : TRAVERSED) {
            check.check(shape, shape + "." + source, expectedElements(expected, shape, source));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    public void trySplitDividesTheElementsWithoutLosingOrRepeatingAny(Source source) {
        checkTraversedViews(source, (shape, what, want) -> {
            Spliterator<?> spliterator = spliterator(shape, source);
            boolean ordered = spliterator.hasCharacteristics(Spliterator.ORDERED);
            List<Object> parts = new ArrayList<>();
            split(spliterator, SPLIT_DEPTH, parts, what + ".spliterator()");
            assertSameElements(want, parts, ordered, what + ".spliterator() split " + SPLIT_DEPTH + " deep");
        });
    }

    /** Splits {@code spliterator} recursively, checking estimates, and adds the elements of its parts in order. */
    private static void split(Spliterator<?> spliterator, int depth, List<Object> elements, String what) {
        long before = spliterator.estimateSize();
        assertTrue(before >= 0, what + ": estimateSize() is negative");
        Spliterator<?> prefix = depth == 0 ? null : spliterator.trySplit();
        if (prefix == null) {
            spliterator.forEachRemaining(e -> elements.add(plain(e)));
            return;
        }
        if (before != Long.MAX_VALUE) {
            assertTrue(prefix.estimateSize() <= before, what + ": a part split off estimates more than the whole did");
            assertTrue(spliterator.estimateSize() <= before, what + ": the rest after a split estimates more than the whole did");
        }
        split(prefix, depth - 1, elements, what + ".trySplit()");
        split(spliterator, depth - 1, elements, what);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    public void tryAdvanceAndForEachRemainingReturnTheElementsOfTheIterator(Source source) {
        checkTraversedViews(source, (shape, view, want) -> {
            String what = view + ".spliterator()";
            List<Object> iterated = new ArrayList<>();
            source.of(shape.of(map, sortedUniverse())).iterator().forEachRemaining(e -> iterated.add(plain(e)));
            assertEquals(want, iterated, what + ": the view's iterator");

            Spliterator<?> advanced = spliterator(shape, source);
            if (advanced.hasCharacteristics(Spliterator.SIZED)) {
                assertEquals(want.size(), advanced.estimateSize(), what + " is SIZED: estimateSize()");
            }
            List<Object> oneByOne = new ArrayList<>();
            while (advanced.tryAdvance(e -> oneByOne.add(plain(e)))) {
                assertTrue(oneByOne.size() <= want.size(), what + ": tryAdvance returned more than " + want.size());
            }
            assertSameElements(want, oneByOne, advanced.hasCharacteristics(Spliterator.ORDERED), what + ".tryAdvance");
            assertFalse(advanced.tryAdvance(e -> oneByOne.add(e)), what + ": tryAdvance after the last element");
            advanced.forEachRemaining(e -> oneByOne.add(e));
            assertEquals(want.size(), oneByOne.size(), what + ": forEachRemaining after the last element");

            Spliterator<?> mixed = spliterator(shape, source);
            List<Object> both = new ArrayList<>();
            for (int i = 0; i < 3 && mixed.tryAdvance(e -> both.add(plain(e))); i++) {
                assertEquals(i + 1, both.size(), what + ": tryAdvance returned true with no element");
            }
            mixed.forEachRemaining(e -> both.add(plain(e)));
            assertSameElements(want, both, mixed.hasCharacteristics(Spliterator.ORDERED),
                    what + ".tryAdvance three times, then forEachRemaining");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    public void streamsCollectTheElementsOfTheView(Source source) {
        checkTraversedViews(source, (shape, what, want) -> {
            Collection<?> collection = source.of(shape.of(map, sortedUniverse()));
            boolean ordered = collection.spliterator().hasCharacteristics(Spliterator.ORDERED);
            assertSameElements(want, collection.stream().map(MapAssertions::plain).toList(), ordered,
                    what + ".stream()");
            assertSameElements(want, collection.parallelStream().map(MapAssertions::plain).toList(), ordered,
                    what + ".parallelStream()");
            assertEquals(want.size(), collection.parallelStream().count(), what + ".parallelStream().count()");
        });
    }

    /** Asserts {@code actual} holds the elements of {@code expected}: in the same order if {@code ordered}. */
    private static void assertSameElements(List<Object> expected, List<Object> actual, boolean ordered, String what) {
        if (ordered) {
            assertEquals(expected, actual, what + ": elements in order");
        } else {
            assertEquals(sortedByString(expected), sortedByString(actual), what + ": elements");
        }
    }

    private static List<String> sortedByString(List<Object> elements) {
        return elements.stream().map(String::valueOf).sorted().collect(Collectors.toList());
    }
}
