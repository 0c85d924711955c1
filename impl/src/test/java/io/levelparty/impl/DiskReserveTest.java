package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyException;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.PartyUnavailableException;
import io.levelparty.Role;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A nearly full filesystem is an error, not a crash: writes are refused at every process with an
 * exception naming the free space, reads go on, and writes resume once space is free again. The
 * filesystem is made to look full by raising the reserve above its free space.
 */
class DiskReserveTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @AfterEach
    void freeSpaceAgain() {
        System.clearProperty(DiskReserve.PROPERTY);
    }

    @Test
    void writesAreRefusedWhileTheReserveIsNotFreeAndResumeAfter() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Role.FOLLOWER, follower.role());
            leader.put("k", "before");
            System.setProperty(DiskReserve.PROPERTY, Long.toString(Long.MAX_VALUE));
            Poll.until(() -> refused(leader), "the leader to refuse writes"); // it looks at most every millisecond
            for (PartyMap<String> map : java.util.List.of(leader, follower)) {
                PartyException e = assertThrows(PartyException.class, () -> map.put("k", "during"));
                assertTrue(e.getMessage().contains("bytes free") && e.getMessage().contains("nothing was written"),
                        e.getMessage());
                assertEquals("before", map.get("k"), "reads go on, and nothing was written");
            }
            assertEquals(Role.LEADER, leader.role(), "refusing a write ends no term");

            System.clearProperty(DiskReserve.PROPERTY);
            follower.put("k", "after");
            assertEquals("after", leader.get("k"));
        }
    }

    /** A compaction writes its new tables before it deletes the old: it too needs the reserve. */
    @Test
    void compactionsAreRefusedWhileTheReserveIsNotFree() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            leader.put("k", "v");
            System.setProperty(DiskReserve.PROPERTY, Long.toString(Long.MAX_VALUE));
            Poll.until(() -> refused(leader), "the leader to refuse writes");
            for (PartyMap<String> map : java.util.List.of(leader, follower)) {
                PartyException e = assertThrows(PartyException.class, () -> map.compact(null, null));
                assertTrue(e.getMessage().contains("bytes free"), e.getMessage());
            }
            assertEquals(Role.LEADER, leader.role(), "refusing a compaction ends no term");
            System.clearProperty(DiskReserve.PROPERTY);
            follower.compact(null, null);
            assertEquals("v", follower.get("k"));
        }
    }

    @Test
    void aProcessDoesNotTakeTheLeadWithoutTheReserveAndSaysSo() {
        System.setProperty(DiskReserve.PROPERTY, Long.toString(Long.MAX_VALUE));
        PartyUnavailableException e = assertThrows(PartyUnavailableException.class,
                () -> LevelParty.open(dir, PartyOptions.of(Codecs.utf8()).openTimeout(Duration.ofMillis(300))));
        assertTrue(e.getMessage().contains("not taking the lead"), e.getMessage());
    }

    private static boolean refused(PartyMap<String> map) {
        try {
            map.put("probe", "x");
            return false;
        } catch (PartyException e) {
            return true;
        }
    }
}
