package io.levelparty.tck;

import static io.levelparty.tck.MapAssertions.quote;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The calls a {@link DifferentialContract} sequence is made of: every method of
 * {@link java.util.concurrent.ConcurrentNavigableMap} whose result a single thread can predict,
 * each as it is applied to a view and as it is printed in a reproducer.
 *
 * <p>The functions given to {@code compute}, {@code computeIfPresent} and {@code merge} append
 * and, once a value has three characters, return {@code null}, so that sequences also remove
 * through them; each is printed as the lambda it is.
 */
enum DifferentialOperation {
    GET(s -> "get(" + k(s) + ")", (m, s) -> m.get(s.key())),
    CONTAINS_KEY(s -> "containsKey(" + k(s) + ")", (m, s) -> m.containsKey(s.key())),
    PUT(s -> "put(" + k(s) + ", " + v(s) + ")", (m, s) -> m.put(s.key(), s.value())),
    REMOVE(s -> "remove(" + k(s) + ")", (m, s) -> m.remove(s.key())),
    PUT_IF_ABSENT(s -> "putIfAbsent(" + k(s) + ", " + v(s) + ")", (m, s) -> m.putIfAbsent(s.key(), s.value())),
    REMOVE_IF_MAPPED_TO(s -> "remove(" + k(s) + ", " + v(s) + ")", (m, s) -> m.remove(s.key(), s.value())),
    REPLACE(s -> "replace(" + k(s) + ", " + v(s) + ")", (m, s) -> m.replace(s.key(), s.value())),
    REPLACE_IF_MAPPED_TO(s -> "replace(" + k(s) + ", " + v(s) + ", " + quote(s.other()) + ")",
            (m, s) -> m.replace(s.key(), s.value(), s.other())),
    COMPUTE(s -> "compute(" + k(s) + ", (k, v) -> v == null ? " + v(s) + " : v.length() >= 3 ? null : v + " + v(s) + ")",
            (m, s) -> m.compute(s.key(), (k, v) -> v == null ? s.value() : appendOrRemove(v, s.value()))),
    COMPUTE_IF_ABSENT(s -> "computeIfAbsent(" + k(s) + ", k -> " + v(s) + ")",
            (m, s) -> m.computeIfAbsent(s.key(), k -> s.value())),
    COMPUTE_IF_PRESENT(s -> "computeIfPresent(" + k(s) + ", (k, v) -> v.length() >= 3 ? null : v + " + v(s) + ")",
            (m, s) -> m.computeIfPresent(s.key(), (k, v) -> appendOrRemove(v, s.value()))),
    MERGE(s -> "merge(" + k(s) + ", " + v(s) + ", (a, b) -> a.length() >= 3 ? null : a + b)",
            (m, s) -> m.merge(s.key(), s.value(), DifferentialOperation::appendOrRemove)),
    POLL_FIRST_ENTRY(s -> "pollFirstEntry()", (m, s) -> m.pollFirstEntry()),
    POLL_LAST_ENTRY(s -> "pollLastEntry()", (m, s) -> m.pollLastEntry()),
    FIRST_KEY(s -> "firstKey()", (m, s) -> m.firstKey()),
    LAST_KEY(s -> "lastKey()", (m, s) -> m.lastKey()),
    FIRST_ENTRY(s -> "firstEntry()", (m, s) -> m.firstEntry()),
    LAST_ENTRY(s -> "lastEntry()", (m, s) -> m.lastEntry()),
    FLOOR_KEY(s -> "floorKey(" + k(s) + ")", (m, s) -> m.floorKey(s.key())),
    CEILING_KEY(s -> "ceilingKey(" + k(s) + ")", (m, s) -> m.ceilingKey(s.key())),
    LOWER_KEY(s -> "lowerKey(" + k(s) + ")", (m, s) -> m.lowerKey(s.key())),
    HIGHER_KEY(s -> "higherKey(" + k(s) + ")", (m, s) -> m.higherKey(s.key())),
    FLOOR_ENTRY(s -> "floorEntry(" + k(s) + ")", (m, s) -> m.floorEntry(s.key())),
    CEILING_ENTRY(s -> "ceilingEntry(" + k(s) + ")", (m, s) -> m.ceilingEntry(s.key())),
    LOWER_ENTRY(s -> "lowerEntry(" + k(s) + ")", (m, s) -> m.lowerEntry(s.key())),
    HIGHER_ENTRY(s -> "higherEntry(" + k(s) + ")", (m, s) -> m.higherEntry(s.key())),
    SIZE(s -> "size()", (m, s) -> m.size()),
    IS_EMPTY(s -> "isEmpty()", (m, s) -> m.isEmpty()),
    ENTRY_SET(s -> "entrySet()", (m, s) -> new ArrayList<>(m.entrySet())),
    DESCENDING_KEY_SET(s -> "descendingKeySet()", (m, s) -> new ArrayList<>(m.descendingKeySet())),
    VALUES(s -> "values()", (m, s) -> new ArrayList<>(m.values())),
    /** Removes, through the iterator of {@code values()}, every value equal to the step's value. */
    ITERATOR_REMOVE(s -> "values().iterator(), removing each " + v(s), (m, s) -> {
        List<String> removed = new ArrayList<>();
        for (Iterator<String> values = m.values().iterator(); values.hasNext();) {
            String value = values.next();
            if (value.equals(s.value())) {
                values.remove();
                removed.add(value);
            }
        }
        return removed;
    }),
    CLEAR(s -> "clear()", (m, s) -> {
        m.clear();
        return null;
    }),
    /** A {@code null} value; what the map must do depends on {@link MapFeature}s, not on a TreeMap. */
    PUT_NULL_VALUE(s -> "put(" + k(s) + ", null)", (m, s) -> m.put(s.key(), null)),
    /** A {@code null} key; what the map must do depends on {@link MapFeature}s, not on a TreeMap. */
    FLOOR_KEY_OF_NULL(s -> "floorKey(null)", (m, s) -> m.floorKey(null)),
    /** A {@code null} expected value; see {@link MapFeature#REMOVE_WITH_NULL_VALUE_RETURNS_FALSE}. */
    REMOVE_IF_MAPPED_TO_NULL(s -> "remove(" + k(s) + ", null)", (m, s) -> m.remove(s.key(), null));

    private final Function<DifferentialStep, String> call;
    private final BiFunction<NavigableMap<String, String>, DifferentialStep, Object> action;

    DifferentialOperation(Function<DifferentialStep, String> call,
            BiFunction<NavigableMap<String, String>, DifferentialStep, Object> action) {
        this.call = call;
        this.action = action;
    }

    /** Calls this operation on {@code view} with the arguments of {@code step} and returns its result. */
    Object apply(NavigableMap<String, String> view, DifferentialStep step) {
        return action.apply(view, step);
    }

    /** Returns the call as Java source, without the receiver. */
    String call(DifferentialStep step) {
        return call.apply(step);
    }

    /** Returns whether the operation passes a {@code null}, which a TreeMap accepts and the map must not. */
    boolean passesNull() {
        return this == PUT_NULL_VALUE || this == FLOOR_KEY_OF_NULL || this == REMOVE_IF_MAPPED_TO_NULL;
    }

    /**
     * Returns whether the operation may change the mapping of its key but never inserts it, so a
     * view may refuse a key outside its range with {@link IllegalArgumentException} or answer as if
     * the key were absent: the contract requires the exception only of an insertion, and
     * {@link java.util.concurrent.ConcurrentSkipListMap}'s views throw it from
     * {@code replace(key, old, new)} where {@link java.util.TreeMap}'s return {@code false}.
     */
    boolean changesWithoutInserting() {
        return this == REMOVE || this == REMOVE_IF_MAPPED_TO || this == REPLACE || this == REPLACE_IF_MAPPED_TO
                || this == COMPUTE_IF_PRESENT;
    }

    private static String appendOrRemove(String current, String more) {
        return current.length() >= 3 ? null : current + more;
    }

    private static String k(DifferentialStep step) {
        return quote(step.key());
    }

    private static String v(DifferentialStep step) {
        return quote(step.value());
    }
}
