package io.levelparty.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Assertions shared by the contract classes. Most compare a view of the map under test with the
 * same view of a {@link java.util.TreeMap} holding the same entries under the same comparator:
 * {@code TreeMap} implements the {@link NavigableMap} contract, so any difference is a fault of the
 * map under test.
 */
final class MapAssertions {

    private static final String ABSENT_VALUE = "no such value";

    private MapAssertions() {
    }

    /** Returns {@code comparator}, or natural ordering where it is {@code null}. */
    static Comparator<String> orderOf(Comparator<? super String> comparator) {
        if (comparator == null) {
            return Comparator.naturalOrder();
        }
        return comparator::compare;
    }

    /** Returns the keys sorted by {@code order}. */
    static List<String> sorted(Collection<String> keys, Comparator<String> order) {
        return keys.stream().distinct().sorted(order).toList();
    }

    /** Returns a copy of an entry as a plain {@link Map#entry}, or {@code null} for {@code null}. */
    static Map.Entry<String, String> copy(Map.Entry<String, String> entry) {
        return entry == null ? null : Map.entry(entry.getKey(), entry.getValue());
    }

    /** Returns copies of the entries of {@code map} in its iteration order. */
    static List<Map.Entry<String, String>> entries(Map<String, String> map) {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        for (Map.Entry<String, String> entry : map.entrySet()) {
            entries.add(copy(entry));
        }
        return entries;
    }

    /**
     * Returns an element as comparable plain data: entries as {@link Map#entry} copies, collections
     * as lists of such copies, arrays as lists, anything else as it is.
     */
    @SuppressWarnings("unchecked")
    static Object plain(Object element) {
        if (element instanceof Map.Entry<?, ?> entry) {
            return copy((Map.Entry<String, String>) entry);
        }
        if (element instanceof Object[] array) {
            return plain(Arrays.asList(array));
        }
        if (element instanceof Collection<?> collection) {
            List<Object> plain = new ArrayList<>();
            collection.forEach(e -> plain.add(plain(e)));
            return plain;
        }
        return element;
    }

    /** Returns the remaining elements of {@code iterator}, failing if there are more than {@code max}. */
    static <T> List<T> drain(Iterator<T> iterator, int max, String what) {
        List<T> elements = new ArrayList<>();
        while (iterator.hasNext()) {
            if (elements.size() == max) {
                fail(what + ": iterator returned more than " + max + " elements");
            }
            elements.add(iterator.next());
        }
        return elements;
    }

    /**
     * Removes every other element, starting with the first, through {@code iterator}, failing if it
     * returns more than {@code max} elements.
     *
     * @return the removed elements, as {@link #plain} data
     */
    static List<Object> removeEveryOther(Iterator<?> iterator, int max) {
        List<Object> removed = new ArrayList<>();
        for (int i = 0; iterator.hasNext(); i++) {
            if (i == max) {
                fail("iterator returned more than " + max + " elements");
            }
            Object element = plain(iterator.next());
            if (i % 2 == 0) {
                iterator.remove();
                removed.add(element);
            }
        }
        return removed;
    }

    /** Asserts that each key comes strictly after the previous one in {@code order}. */
    static void assertStrictlyOrdered(List<String> keys, Comparator<String> order, String what) {
        for (int i = 1; i < keys.size(); i++) {
            String previous = keys.get(i - 1);
            String current = keys.get(i);
            if (order.compare(previous, current) >= 0) {
                fail(what + ": " + quote(current) + " returned after " + quote(previous)
                        + " (position " + i + " of " + keys.size() + ")");
            }
        }
    }

    /**
     * Asserts the guarantees of a weakly consistent traversal that returned {@code seen}: keys in
     * strictly increasing {@code order}, none twice, all of {@code mustSee} (keys present throughout)
     * and none outside {@code mayContain} (keys present at some time).
     */
    static void assertWeaklyConsistent(List<String> seen, Comparator<String> order,
            Collection<String> mustSee, Collection<String> mayContain, String what) {
        assertStrictlyOrdered(seen, order, what);
        assertEquals(seen.size(), new HashSet<>(seen).size(), () -> what + ": a key was returned twice");
        List<String> missed = new ArrayList<>(mustSee);
        missed.removeAll(new HashSet<>(seen));
        assertTrue(missed.isEmpty(), () -> what + ": keys present throughout were not returned: " + missed);
        List<String> unexpected = new ArrayList<>(seen);
        unexpected.removeAll(new HashSet<>(mayContain));
        assertTrue(unexpected.isEmpty(), () -> what + ": keys that were never present were returned: " + unexpected);
    }

    /**
     * Asserts that {@code entry} maps {@code key} to {@code value} and honours the {@link Map.Entry}
     * contract for {@code equals} and {@code hashCode}.
     */
    static void assertEntry(String key, String value, Map.Entry<String, String> entry, String what) {
        assertTrue(entry != null, () -> what + ": expected entry " + key + "=" + value + " but was null");
        assertEquals(key, entry.getKey(), () -> what + ": getKey()");
        assertEquals(value, entry.getValue(), () -> what + ": getValue()");
        Map.Entry<String, String> reference = Map.entry(key, value);
        assertTrue(entry.equals(reference), () -> what + ": entry.equals(Map.entry(key, value))");
        assertTrue(reference.equals(entry), () -> what + ": Map.entry(key, value).equals(entry)");
        assertFalse(entry.equals(Map.entry(key, value + "'")), () -> what + ": equal to an entry with another value");
        assertEquals(key.hashCode() ^ value.hashCode(), entry.hashCode(), () -> what + ": hashCode()");
    }

    /**
     * Asserts that {@code actual} holds the entries of {@code expected}, in the same order, and
     * answers every query of {@link NavigableMap} (and those of its key set, value collection and
     * entry set) the same way, asking about each of {@code probes}.
     */
    static void assertSameMap(NavigableMap<String, String> expected, NavigableMap<String, String> actual,
            Collection<String> probes, String what) {
        assertEquals(entries(expected), entries(actual), () -> what + ": entries in iteration order");
        assertEquals(expected.size(), actual.size(), () -> what + ": size()");
        assertEquals(expected.isEmpty(), actual.isEmpty(), () -> what + ": isEmpty()");
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), () -> what + ": keySet()");
        assertEquals(List.copyOf(expected.descendingKeySet()), List.copyOf(actual.descendingKeySet()),
                () -> what + ": descendingKeySet()");
        assertEquals(entries(expected.descendingMap()), entries(actual.descendingMap()),
                () -> what + ": descendingMap()");
        assertEquals(List.copyOf(expected.values()), List.copyOf(actual.values()), () -> what + ": values()");
        assertEnds(expected, actual, what);
        for (String probe : probes) {
            assertProbe(expected, actual, probe, what);
        }
        for (String value : expected.values()) {
            assertTrue(actual.containsValue(value), () -> what + ": containsValue(" + quote(value) + ")");
            assertTrue(actual.values().contains(value), () -> what + ": values().contains(" + quote(value) + ")");
        }
        assertFalse(actual.containsValue(ABSENT_VALUE), () -> what + ": containsValue of an absent value");
        assertEquals(expected.entrySet().size(), actual.entrySet().size(), () -> what + ": entrySet().size()");
        assertEquals(expected.values().size(), actual.values().size(), () -> what + ": values().size()");
    }

    /**
     * Asserts that {@code actual}, which holds the entries of {@code expected}, follows the
     * {@link Map} contract for {@code equals} and {@code hashCode}, as do its key set and entry set
     * that of {@link Set}.
     */
    static void assertMapEqualsAndHashCode(NavigableMap<String, String> expected, Map<String, String> actual,
            String what) {
        Map<String, String> hashed = new HashMap<>(expected);
        assertTrue(actual.equals(expected), () -> what + ": equals(an equal TreeMap)");
        assertTrue(actual.equals(hashed), () -> what + ": equals(an equal HashMap)");
        assertTrue(expected.equals(actual), () -> what + ": an equal TreeMap equals it");
        assertTrue(hashed.equals(actual), () -> what + ": an equal HashMap equals it");
        assertEquals(expected.hashCode(), actual.hashCode(), () -> what + ": hashCode()");
        assertSetEqualsAndHashCode(expected.keySet(), actual.keySet(), what + ": keySet()");
        assertSetEqualsAndHashCode(expected.entrySet(), actual.entrySet(), what + ": entrySet()");
    }

    /**
     * Asserts that {@code actual}, which holds the elements of {@code expected}, follows the
     * {@link Set} contract for {@code equals} and {@code hashCode}.
     */
    static <E> void assertSetEqualsAndHashCode(Set<E> expected, Set<E> actual, String what) {
        Set<E> hashed = new HashSet<>(expected);
        assertTrue(actual.equals(hashed), () -> what + ": equals(an equal HashSet)");
        assertTrue(hashed.equals(actual), () -> what + ": an equal HashSet equals it");
        assertFalse(actual.equals(new ArrayList<>(expected)), () -> what + ": a set never equals a list");
        assertEquals(hashed.hashCode(), actual.hashCode(), () -> what + ": hashCode()");
    }

    /**
     * Asserts that {@code toString()} of {@code actual} and of its key set, values and entry set
     * are those of {@code expected}, a {@link java.util.TreeMap}: the
     * {@link java.util.AbstractMap} and {@link java.util.AbstractCollection} formats.
     */
    static void assertAbstractMapToString(NavigableMap<String, String> expected, Map<String, String> actual,
            String what) {
        assertEquals(expected.toString(), actual.toString(), () -> what + ": toString()");
        assertEquals(expected.keySet().toString(), actual.keySet().toString(), () -> what + ": keySet().toString()");
        assertEquals(expected.values().toString(), actual.values().toString(), () -> what + ": values().toString()");
        assertEquals(expected.entrySet().toString(), actual.entrySet().toString(),
                () -> what + ": entrySet().toString()");
    }

    private static void assertEnds(NavigableMap<String, String> expected, NavigableMap<String, String> actual,
            String what) {
        if (expected.isEmpty()) {
            assertThrows(NoSuchElementException.class, actual::firstKey, () -> what + ": firstKey() when empty");
            assertThrows(NoSuchElementException.class, actual::lastKey, () -> what + ": lastKey() when empty");
            assertNull(actual.firstEntry(), () -> what + ": firstEntry() when empty");
            assertNull(actual.lastEntry(), () -> what + ": lastEntry() when empty");
        } else {
            assertEquals(expected.firstKey(), actual.firstKey(), () -> what + ": firstKey()");
            assertEquals(expected.lastKey(), actual.lastKey(), () -> what + ": lastKey()");
            assertEquals(expected.firstEntry(), copy(actual.firstEntry()), () -> what + ": firstEntry()");
            assertEquals(expected.lastEntry(), copy(actual.lastEntry()), () -> what + ": lastEntry()");
        }
    }

    private static void assertProbe(NavigableMap<String, String> expected, NavigableMap<String, String> actual,
            String probe, String what) {
        Supplier<String> at = () -> what + " at " + quote(probe);
        assertEquals(expected.get(probe), actual.get(probe), () -> at.get() + ": get");
        assertEquals(expected.containsKey(probe), actual.containsKey(probe), () -> at.get() + ": containsKey");
        assertEquals(expected.getOrDefault(probe, ABSENT_VALUE), actual.getOrDefault(probe, ABSENT_VALUE),
                () -> at.get() + ": getOrDefault");
        assertEquals(expected.floorKey(probe), actual.floorKey(probe), () -> at.get() + ": floorKey");
        assertEquals(expected.ceilingKey(probe), actual.ceilingKey(probe), () -> at.get() + ": ceilingKey");
        assertEquals(expected.higherKey(probe), actual.higherKey(probe), () -> at.get() + ": higherKey");
        assertEquals(expected.lowerKey(probe), actual.lowerKey(probe), () -> at.get() + ": lowerKey");
        assertEquals(expected.floorEntry(probe), copy(actual.floorEntry(probe)), () -> at.get() + ": floorEntry");
        assertEquals(expected.ceilingEntry(probe), copy(actual.ceilingEntry(probe)), () -> at.get() + ": ceilingEntry");
        assertEquals(expected.higherEntry(probe), copy(actual.higherEntry(probe)), () -> at.get() + ": higherEntry");
        assertEquals(expected.lowerEntry(probe), copy(actual.lowerEntry(probe)), () -> at.get() + ": lowerEntry");
        assertEquals(expected.entrySet().contains(Map.entry(probe, TestKeys.valueOf(probe))),
                actual.entrySet().contains(Map.entry(probe, TestKeys.valueOf(probe))),
                () -> at.get() + ": entrySet().contains");
    }

    /**
     * Asserts that {@code actual} holds the elements of {@code expected}, in the same order, and
     * answers every query of {@link NavigableSet} the same way, asking about each of {@code probes}.
     */
    static void assertSameSet(NavigableSet<String> expected, NavigableSet<String> actual,
            Collection<String> probes, String what) {
        List<String> elements = List.copyOf(expected);
        assertEquals(elements, List.copyOf(actual), () -> what + ": elements in iteration order");
        assertEquals(expected.size(), actual.size(), () -> what + ": size()");
        assertEquals(expected.isEmpty(), actual.isEmpty(), () -> what + ": isEmpty()");
        assertEquals(List.copyOf(expected.descendingSet()), List.copyOf(actual.descendingSet()),
                () -> what + ": descendingSet()");
        List<String> descending = new ArrayList<>();
        actual.descendingIterator().forEachRemaining(descending::add);
        assertEquals(List.copyOf(expected.descendingSet()), descending, () -> what + ": descendingIterator()");
        if (expected.isEmpty()) {
            assertThrows(NoSuchElementException.class, actual::first, () -> what + ": first() when empty");
            assertThrows(NoSuchElementException.class, actual::last, () -> what + ": last() when empty");
        } else {
            assertEquals(expected.first(), actual.first(), () -> what + ": first()");
            assertEquals(expected.last(), actual.last(), () -> what + ": last()");
        }
        for (String probe : probes) {
            Supplier<String> at = () -> what + " at " + quote(probe);
            assertEquals(expected.contains(probe), actual.contains(probe), () -> at.get() + ": contains");
            assertEquals(expected.floor(probe), actual.floor(probe), () -> at.get() + ": floor");
            assertEquals(expected.ceiling(probe), actual.ceiling(probe), () -> at.get() + ": ceiling");
            assertEquals(expected.higher(probe), actual.higher(probe), () -> at.get() + ": higher");
            assertEquals(expected.lower(probe), actual.lower(probe), () -> at.get() + ": lower");
        }
        assertTrue(actual.containsAll(elements), () -> what + ": containsAll(its elements)");
        assertArrayEquals(elements.toArray(), actual.toArray(), () -> what + ": toArray()");
        assertArrayEquals(elements.toArray(new String[0]), actual.toArray(new String[0]),
                () -> what + ": toArray(new String[0])");
        String[] roomy = new String[elements.size() + 2];
        Arrays.fill(roomy, "filler");
        String[] filled = actual.toArray(roomy);
        assertSame(roomy, filled, () -> what + ": toArray(a) with room must fill a");
        assertEquals(elements, Arrays.asList(filled).subList(0, elements.size()), () -> what + ": toArray(a) contents");
        assertNull(filled[elements.size()], () -> what + ": toArray(a) must end the elements with null");
    }

    /** Asserts that two comparators (or natural ordering, for {@code null}) order the probes alike. */
    static void assertSameOrder(Comparator<? super String> expected, Comparator<? super String> actual,
            Collection<String> probes, String what) {
        Comparator<String> expectedOrder = orderOf(expected);
        Comparator<String> actualOrder = orderOf(actual);
        for (String a : probes) {
            for (String b : probes) {
                int want = Integer.signum(expectedOrder.compare(a, b));
                int got = Integer.signum(actualOrder.compare(a, b));
                if (want != got) {
                    fail(what + ": compare(" + quote(a) + ", " + quote(b) + ") has sign " + got + ", expected " + want);
                }
            }
        }
    }

    /** Returns the keys {@link #quote quoted}. */
    static List<String> quoteAll(List<String> keys) {
        return keys.stream().map(MapAssertions::quote).toList();
    }

    /** Returns {@code key} quoted, with characters outside printable ASCII escaped. */
    static String quote(String key) {
        if (key == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("\"");
        key.chars().forEach(c -> {
            if (c >= 0x20 && c < 0x7F) {
                quoted.append((char) c);
            } else {
                quoted.append(String.format("\\u%04X", c));
            }
        });
        return quoted.append('"').toString();
    }
}
