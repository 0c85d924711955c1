package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening and closing maps, as a test suite or a short-lived task does many times over, leaves
 * nothing behind: no file descriptor (counted in Linux's /proc/self/fd around many cycles, after a
 * few to warm up: a leak of one descriptor in twenty cycles shows as 10), and no buffers reachable
 * from a closed map that its user keeps.
 */
class ResourceLeakTest {
    private static final int WARM_UP = 20;
    private static final int CYCLES = 200;
    /** Descriptors that other threads of the test JVM may open or close meanwhile. */
    private static final int SLACK = 3;

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @Test
    void leaderMapsOpenedAndClosedLeaveNoDescriptorBehind() {
        assertNoDescriptorLeftBy(() -> {
            try (PartyMap<String> map = LevelParty.open(dir, Codecs.utf8())) {
                assertEquals(Role.LEADER, map.role());
                map.put("k", "v");
            }
        });
    }

    @Test
    void followerMapsOpenedAndClosedLeaveNoDescriptorBehind() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8())) {
            assertNoDescriptorLeftBy(() -> {
                try (PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
                    assertEquals(Role.FOLLOWER, follower.role());
                    follower.put("k", "v");
                }
            });
            assertEquals("v", leader.get("k"));
        }
    }

    @Test
    void closedMapsKeptByTheirUserHoldOnToNoBuffers() throws IOException {
        int maps = 500;
        List<PartyMap<String>> kept = new ArrayList<>();
        long before = usedHeapAfterGc();
        for (int i = 0; i < maps; i++) {
            Path db = dir.resolve("db" + i);
            try (PartyMap<String> leader = LevelParty.open(db, Codecs.utf8());
                    PartyMap<String> follower = LevelParty.open(db, Codecs.utf8())) {
                follower.put("k", "v");
                kept.add(leader);
                kept.add(follower);
            }
        }
        long perPair = (usedHeapAfterGc() - before) / maps;
        // Each pair held about 83 KiB of buffers when closed maps kept their connections reachable.
        assertTrue(perPair < 16 * 1024, "a closed leader and follower still hold " + perPair + " bytes");
        assertEquals(2 * maps, kept.size());
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static void assertNoDescriptorLeftBy(Runnable cycle) {
        for (int i = 0; i < WARM_UP; i++) {
            cycle.run();
        }
        long before = openDescriptors();
        for (int i = 0; i < CYCLES; i++) {
            cycle.run();
        }
        long after = openDescriptors();
        assertTrue(after - before <= SLACK,
                "open descriptors went from " + before + " to " + after + " in " + CYCLES + " cycles");
    }

    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
