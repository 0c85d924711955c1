package io.levelparty.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Checks of the entries a map returns, from navigation methods or from iterators: each source is
 * applied to the map under test and to a {@link TreeMap} of the expected entries, and the entry
 * from the map is checked against a copy of the expected one.
 */
final class EntryChecks {

    /** A check of one entry: {@code entry} from the map under test, {@code want} what it must hold. */
    @FunctionalInterface
    interface EntryCheck {
        void check(String what, Map.Entry<String, String> want, Map.Entry<String, String> entry);
    }

    private EntryChecks() {
    }

    /**
     * Applies each source to {@code expected} and to {@code map} and checks the entries they
     * return; then puts the entry back into both, in case the source removed it.
     */
    static void forEachEntry(Map<String, Function<NavigableMap<String, String>, Map.Entry<String, String>>> sources,
            TreeMap<String, String> expected, NavigableMap<String, String> map, EntryCheck check) {
        sources.forEach((what, source) -> {
            Map.Entry<String, String> want = MapAssertions.copy(source.apply(expected));
            check.check(what, want, source.apply(map));
            map.put(want.getKey(), want.getValue());
            expected.put(want.getKey(), want.getValue());
        });
    }

    /** Checks the {@link Map.Entry} contract: key, value, {@code equals} and {@code hashCode}. */
    static void assertEntryContract(String what, Map.Entry<String, String> want, Map.Entry<String, String> entry) {
        MapAssertions.assertEntry(want.getKey(), want.getValue(), entry, what);
    }

    /** Checks {@link MapFeature#SNAPSHOT_ENTRIES}: {@code setValue} is refused and later writes to {@code map} do not show. */
    static void assertSnapshot(NavigableMap<String, String> map, String what, Map.Entry<String, String> want,
            Map.Entry<String, String> entry) {
        assertEquals(want, MapAssertions.copy(entry), what);
        assertThrows(UnsupportedOperationException.class, () -> entry.setValue("changed"), what + ": setValue");
        map.put(want.getKey(), "changed");
        assertEquals(want.getValue(), entry.getValue(), what + ": entry must not follow later changes");
    }

    /** Checks {@link MapFeature#KEY_EQUALS_VALUE_ENTRY_TO_STRING}. */
    static void assertKeyEqualsValue(String what, Map.Entry<String, String> want, Map.Entry<String, String> entry) {
        assertEquals(want.getKey() + "=" + want.getValue(), String.valueOf(entry), what + ": toString()");
    }
}
