package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyFollower;
import io.levelparty.PartyMap;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees of a party: the counts of PartyStats, and the same over JMX. */
class PartyStatsTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    private Set<ObjectName> beansOf(Path data) throws Exception {
        return JMX.queryNames(new ObjectName("io.levelparty:type=PartyMap,directory="
                + ObjectName.quote(data.toRealPath().toString()) + ",*"), null);
    }

    private int beanCount(Path data) {
        try {
            return beansOf(data).size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void writesAndRequestsAreCountedAndShownOverJmxWhileTheMapIsOpen() throws Exception {
        Path data = dir.resolve("db");
        try (PartyMap<String> leader = LevelParty.open(data, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(data, Codecs.utf8())) {
            for (int i = 0; i < 3; i++) {
                follower.put("k" + i, "v");
            }
            follower.batch().put("a", "1").put("b", "2").apply();
            leader.put("l", "v");
            assertEquals(4, follower.stats().writes(), "three puts and a batch");
            assertEquals(1, leader.stats().writes());
            assertTrue(leader.stats().requestsServed() >= 4, leader.stats().toString());
            assertEquals(0, follower.stats().requestsServed());
            assertEquals(0, follower.stats().failovers());
            assertEquals(-1, follower.stats().lastFailoverMicros());

            // Registered in the background, a moment after the open.
            Poll.until(() -> beanCount(data) == 2, "both maps' beans");
            Set<ObjectName> beans = beansOf(data);
            assertEquals(2, beans.size(), beans.toString());
            long writesOverJmx = 0;
            for (ObjectName bean : beans) {
                writesOverJmx += (Long) JMX.getAttribute(bean, "Writes");
                assertEquals(ProcessHandle.current().pid(), JMX.getAttribute(bean, "LeaderPid"));
            }
            assertEquals(5, writesOverJmx);

            // The leader lists its follower (this process), with the cache lease its first read took, and so
            // does the follower.
            assertEquals("v", follower.get("k0"));
            Poll.until(() -> !leader.followers().isEmpty() && leader.followers().get(0).caching(),
                    "the follower's cache lease");
            PartyFollower listed = leader.followers().get(0);
            assertEquals(1, leader.followers().size(), "one entry per process, not per connection");
            assertEquals(ProcessHandle.current().pid(), listed.pid());
            assertEquals(ThisProcess.UID, listed.uid());
            assertTrue(!listed.connected().isNegative(), listed.toString());
            assertEquals(listed.pid(), follower.followers().get(0).pid(), "the follower asks the leader");

            follower.close();
            Poll.until(() -> beanCount(data) == 1, "the closed map's bean to go");
            Poll.until(() -> leader.followers().isEmpty(), "the closed follower to leave the list");
        }
        Poll.until(() -> beanCount(data) == 0, "every bean to go");
    }
}
