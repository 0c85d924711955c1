package io.levelparty.tck;

import java.util.EnumSet;
import java.util.Set;

/**
 * A promise a map makes beyond the {@link java.util.concurrent.ConcurrentNavigableMap} contract.
 *
 * <p>The contracts check what the interfaces require of every map, always. Where the JDK leaves a
 * choice to the implementation, or only says what implementations are "expected" to do, a map
 * declares the choice it makes by returning the feature from
 * {@link MapContractSupport#features()}, and the contracts then check that promise too. A test
 * that checks only an undeclared feature is reported as skipped, with the feature named in the
 * reason.
 *
 * <p>{@link java.util.concurrent.ConcurrentSkipListMap} has every feature; see
 * {@link #ofConcurrentSkipListMap()}.
 */
public enum MapFeature {

    /**
     * {@code toString()} of the map and of its views is the format of
     * {@link java.util.AbstractMap#toString()} and {@link java.util.AbstractCollection#toString()}:
     * {@code "{k1=v1, k2=v2}"} for maps and {@code "[e1, e2]"} for key sets, values and entry sets,
     * in iteration order. {@link java.util.Map} itself does not specify {@code toString}; maps
     * that extend {@code AbstractMap} inherit this format.
     */
    ABSTRACT_MAP_TO_STRING,

    /**
     * Entries returned by the navigation methods ({@code firstEntry}, {@code floorEntry},
     * {@code pollFirstEntry}, ...) and by the iterators of the entry sets are immutable snapshots:
     * {@code setValue} throws {@link UnsupportedOperationException}, and later changes to the map do
     * not show in an entry already returned. {@link java.util.NavigableMap} says only that
     * entry-returning methods are "expected to return {@code Map.Entry} pairs representing
     * snapshots of mappings at the time they were produced, and thus generally do not support the
     * optional {@code Entry.setValue} method", and {@link java.util.Map.Entry#setValue} is an
     * optional operation that writes through; {@link java.util.concurrent.ConcurrentSkipListMap}
     * promises that "all {@code Map.Entry} pairs returned by methods in this class and its views
     * represent snapshots of mappings at the time they were produced".
     */
    SNAPSHOT_ENTRIES,

    /**
     * {@code toString()} of an entry is its key, {@code "="} and its value, as
     * {@link java.util.AbstractMap.SimpleEntry#toString()} returns; {@link java.util.Map.Entry}
     * does not specify it.
     */
    KEY_EQUALS_VALUE_ENTRY_TO_STRING,

    /**
     * Every method given a {@code null} key, bound or value throws {@link NullPointerException}
     * even when the map is empty. The contract requires the exception from a map that holds
     * entries, and from an empty map only that it stores nothing: {@link java.util.TreeMap}, for
     * one, answers {@code floorKey(null)} with {@code null} when it is empty, since it compares the
     * argument with nothing.
     */
    NULL_ARGUMENTS_REJECTED_WHEN_EMPTY,

    /**
     * {@code remove(key, null)} returns {@code false} and changes nothing, as in
     * {@link java.util.concurrent.ConcurrentSkipListMap}. The contract also accepts a
     * {@link NullPointerException}: {@link java.util.concurrent.ConcurrentMap#remove(Object, Object)}
     * throws it "if the specified key or value is null, and this map does not permit null keys or
     * values (optional)".
     */
    REMOVE_WITH_NULL_VALUE_RETURNS_FALSE,

    /**
     * The spliterators of the map's own {@code values()} and {@code entrySet()} report
     * {@link java.util.Spliterator#ORDERED}, so that streams over them keep key order, as
     * {@link java.util.concurrent.ConcurrentSkipListMap}'s do (those of its sub and descending maps
     * do not, so the feature says nothing of views). Only the key sets are required to:
     * {@link java.util.SortedSet#spliterator()} "reports {@code DISTINCT}, {@code SORTED} and
     * {@code ORDERED}", while {@link java.util.Collection#spliterator()} leaves the characteristics
     * of other collections to the implementation.
     */
    ORDERED_SPLITERATORS;

    /** Returns the features of {@link java.util.concurrent.ConcurrentSkipListMap}: all of them. */
    public static Set<MapFeature> ofConcurrentSkipListMap() {
        return EnumSet.allOf(MapFeature.class);
    }
}
