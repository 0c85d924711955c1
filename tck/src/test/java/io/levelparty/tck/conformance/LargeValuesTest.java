package io.levelparty.tck.conformance;

import io.levelparty.tck.CodePointOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Iteration over values too large for testlib's samples: the store returns short pages when their
 * bytes reach its limit, and iterators must go on reading until the range really ends.
 */
class LargeValuesTest {
    private final MapSource source = PartyMapSource.leaders();
    private final ConcurrentNavigableMap<String, String> expected =
            new ConcurrentSkipListMap<>(CodePointOrder.INSTANCE);
    private ConcurrentNavigableMap<String, String> map;

    @BeforeEach
    void fill() {
        map = source.newMap();
        for (int i = 0; i < 40; i++) {
            String key = String.format("key-%02d", i);
            String value = String.valueOf((char) ('a' + i % 26)).repeat(100_000 + i);
            map.put(key, value);
            expected.put(key, value);
        }
    }

    @AfterEach
    void close() {
        source.close();
    }

    @Test
    void everyViewIteratesEveryEntry() {
        assertEquals(expected.size(), map.size());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(map.keySet()));
        assertEquals(List.copyOf(expected.descendingKeySet()), List.copyOf(map.descendingKeySet()));
        assertEquals(List.copyOf(expected.values()), List.copyOf(map.values()));
        assertEquals(List.copyOf(expected.entrySet()), List.copyOf(map.entrySet()));
        assertEquals(List.copyOf(expected.descendingMap().entrySet()),
                List.copyOf(map.descendingMap().entrySet()));
        assertEquals(expected, map);
        assertEquals(map, expected);
        assertEquals(expected.hashCode(), map.hashCode());
    }

    @Test
    void subMapsIterateEveryEntry() {
        assertEquals(List.copyOf(expected.subMap("key-03", "key-37").entrySet()),
                List.copyOf(map.subMap("key-03", "key-37").entrySet()));
        assertEquals(List.copyOf(expected.headMap("key-30", true).descendingMap().keySet()),
                List.copyOf(map.headMap("key-30", true).descendingMap().keySet()));
    }

    @Test
    void iteratorRemoveReachesTheEnd() {
        List<String> removed = new ArrayList<>();
        for (var it = map.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            removed.add(e.getKey());
            it.remove();
        }
        assertEquals(List.copyOf(expected.keySet()), removed);
        assertEquals(0, map.size());
    }
}
