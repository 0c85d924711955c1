package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.Role;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iterations whose pages come back shorter than asked for before the range ends, because the
 * leader cut them by size: they must go on to the end of the range, in leader and in follower mode.
 */
class EntryIteratorTest {
    @TempDir(factory = ShortTempDir.class)
    Path tmp;

    /**
     * Values of 8 KiB: the iterator's pages of 16, 32, 64 and 128 entries (1 MiB) hold 240 of them;
     * the next, of 256 entries, would hold 2 MiB and is cut at the leader's limit of 1 MiB.
     */
    @Test
    void pagesCutByTheLeadersByteLimitDoNotEndTheIteration() {
        String value = "v".repeat(8 << 10);
        int count = 400;
        Path dir = tmp.resolve("db");
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Role.FOLLOWER, follower.role());
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                keys.add(String.format("k%04d", i));
                leader.put(keys.get(i), value);
            }
            for (PartyMap<String> map : List.of(leader, follower)) {
                assertEquals(count, map.keySet().stream().count(), map.role() + " entries iterated");
                assertEquals(keys, List.copyOf(map.keySet()), map.role() + " ascending");
                List<String> descending = new ArrayList<>(keys);
                Collections.reverse(descending);
                assertEquals(descending, List.copyOf(map.descendingKeySet()), map.role() + " descending");
                assertEquals(count, map.values().stream().filter(value::equals).count(), map.role() + " values");
            }
        }
    }

    /**
     * Pages of the largest values: a value as long as any may be after one of almost the leader's
     * page byte limit, read whole by a follower in both directions.
     */
    @Test
    void pagesOfTheLargestValuesAreReadWhole() {
        Path dir = tmp.resolve("db");
        Map<String, String> entries = Map.of(
                "a", "a".repeat(LocalStore.MAX_PAGE_BYTES - 100),
                "b", "b".repeat(Protocol.MAX_VALUE_BYTES),
                "c", "c");
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Role.FOLLOWER, follower.role());
            leader.putAll(entries);
            NavigableMap<String, String> view = follower.subMap("a", true, "c", true);
            assertEquals(List.of("a", "b", "c"), List.copyOf(view.keySet()));
            assertEquals(List.of("c", "b", "a"), List.copyOf(view.descendingKeySet()));
            view.forEach((k, v) -> assertEquals(entries.get(k), v, k));
        }
    }
}
