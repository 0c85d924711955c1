package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.Role;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What works must not depend on which process leads: the leader refuses a value no follower could read back. */
class ValueSizeLimitTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @Test
    void everyProcessRefusesAValueAboveTheLimitAndTakesOneAtIt() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Role.FOLLOWER, follower.role());
            for (PartyMap<String> map : java.util.List.of(leader, follower)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> map.put("big", "x".repeat(Protocol.MAX_VALUE_BYTES + 1)));
                assertTrue(e.getMessage().contains(Integer.toString(Protocol.MAX_VALUE_BYTES)), e.getMessage());
                assertEquals(null, map.get("big"), "nothing was written");
            }
            String largest = "x".repeat(Protocol.MAX_VALUE_BYTES);
            leader.put("largest", largest);
            assertEquals(Protocol.MAX_VALUE_BYTES, follower.get("largest").length());
            assertTrue(follower.replace("largest", largest, "y".repeat(Protocol.MAX_VALUE_BYTES)),
                    "a compare-and-set of two values at the limit fits a frame");
        }
    }
}
