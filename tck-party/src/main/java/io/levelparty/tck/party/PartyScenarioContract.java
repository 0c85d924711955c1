package io.levelparty.tck.party;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Party scenarios with real processes: several JVMs ({@link ChildProcess}) open one directory
 * through {@code LevelParty.open} and must see one map, whatever their start order, and carry on
 * when the leader leaves or dies.
 *
 * <p>Each process opens the directory's {@code file:} URI. The scenarios check LevelParty's own
 * party, and run on nothing else: that one process leads and the others follow, that a follower
 * takes over from a leader that leaves, and that a subscriber is told of the change of leader; a
 * store without a leader among its processes (etcd, whose raft leader is a server) has no such
 * roles.
 *
 * <p>Subclass it in a test source set whose class path holds the implementation; children get the
 * same class path and the JVM flags in {@value ChildProcess#JVM_FLAGS_PROPERTY}.
 */
public abstract class PartyScenarioContract {
    private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    protected Path dir;
    private final List<ChildProcess> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(ChildProcess::close);
    }

    private ChildProcess start(String name) {
        ChildProcess child = ChildProcess.start(name, dir.resolve("db").toUri());
        children.add(child);
        return child;
    }

    private static long count(ChildProcess child, String prefix) {
        return Long.parseLong(child.expect("count " + prefix, "COUNT ").substring("COUNT ".length()));
    }

    private static List<String> roles(List<ChildProcess> children) {
        return children.stream().map(c -> c.expect("role", "ROLE ").substring("ROLE ".length()))
                .sorted().collect(Collectors.toList());
    }

    /** Returns the sorted roles of a group with one leader and {@code followers} followers. */
    private static List<String> oneLeader(int followers) {
        List<String> roles = new ArrayList<>(Collections.nCopies(followers, "FOLLOWER"));
        roles.add("LEADER");
        return roles;
    }

    @Test
    void processesStartedInRandomOrderShareOneMap() throws Exception {
        List<String> names = new ArrayList<>(List.of("p1", "p2", "p3", "p4"));
        Random random = new Random();
        Collections.shuffle(names, random);
        List<ChildProcess> group = new ArrayList<>();
        for (String name : names) { // started without waiting for each other
            group.add(start(name));
            Thread.sleep(random.nextInt(100));
        }
        for (ChildProcess child : group) {
            assertNotNull(child.awaitReady());
        }
        assertEquals(oneLeader(3), roles(group));
        for (ChildProcess child : group) {
            child.expect("putmany " + child.name() + " 50", "OK");
        }
        for (ChildProcess child : group) {
            assertEquals(200, count(child, "p"), child + " sees every process's writes");
            for (String name : names) {
                assertEquals(50, count(child, name + "/"), child + " sees all of " + name);
            }
        }
    }

    /**
     * Starts a leader, then followers {@code a} and {@code b}; the leader writes 20 keys under
     * {@code before/}. Returns the three, leader first.
     */
    private List<ChildProcess> leaderWithTwoFollowers() {
        ChildProcess leader = start("leader");
        assertEquals("LEADER", leader.awaitReady());
        ChildProcess a = start("a");
        ChildProcess b = start("b");
        assertEquals("FOLLOWER", a.awaitReady());
        assertEquals("FOLLOWER", b.awaitReady());
        leader.expect("putmany before 20", "OK");
        return List.of(leader, a, b);
    }

    @Test
    void aFollowerTakesOverWhenTheLeaderCloses() throws Exception {
        List<ChildProcess> group = leaderWithTwoFollowers();
        ChildProcess leader = group.get(0);
        ChildProcess a = group.get(1);
        ChildProcess b = group.get(2);

        leader.expect("close", "CLOSED");
        assertEquals(0, leader.awaitExit(TAKEOVER_TIMEOUT));

        a.expect("putmany a 10", "OK"); // carries on, whoever leads now
        b.expect("putmany b 10", "OK");
        assertEquals(oneLeader(1), roles(List.of(a, b)));
        for (ChildProcess child : List.of(a, b)) {
            assertEquals(20, count(child, "before/"), child + " kept the leader's data");
            assertEquals(10, count(child, "a/"));
            assertEquals(10, count(child, "b/"));
        }
    }

    @Test
    void followersReelectWhenTheLeaderIsKilled() throws Exception {
        List<ChildProcess> group = leaderWithTwoFollowers();
        ChildProcess leader = group.get(0);
        ChildProcess a = group.get(1);
        ChildProcess b = group.get(2);

        leader.kill();
        leader.awaitExit(TAKEOVER_TIMEOUT);

        String announced = null;
        for (long end = System.nanoTime() + TAKEOVER_TIMEOUT.toNanos(); announced == null && System.nanoTime() < end; ) {
            for (ChildProcess child : List.of(a, b)) {
                String line = child.nextAnnouncement(Duration.ofMillis(50));
                announced = announced != null ? announced : line;
            }
        }
        assertEquals("NOW LEADER", announced, "a follower took the lead after the SIGKILL");
        assertEquals(oneLeader(1), roles(List.of(a, b)));
        a.expect("put after a", "OK");
        assertEquals("VALUE a", b.expect("get after", "VALUE "));
        assertEquals(20, count(b, "before/"));
    }

    @Test
    void aSubscriberSeesOtherProcessesWritesInOrderAndIsToldOfTheGapAtAFailover() throws Exception {
        List<ChildProcess> group = leaderWithTwoFollowers();
        ChildProcess a = start("subscriber");
        assertEquals("FOLLOWER", a.awaitReady());
        a.expect("subscribe", "OK");
        ChildProcess b = group.get(1);
        ChildProcess c = group.get(2);

        b.expect("putmany b 20", "OK");
        c.expect("putmany c 20", "OK");
        b.expect("put b/0 again", "OK");
        List<String> expected = new ArrayList<>();
        for (String writer : List.of("b", "c")) {
            for (int i = 0; i < 20; i++) {
                expected.add(writer + "/" + i + "=" + writer + "/" + i);
            }
        }
        expected.add("b/0=again");
        List<String> seen = new ArrayList<>();
        long lastSequence = Long.MIN_VALUE;
        for (int i = 0; i < expected.size(); i++) {
            String[] change = nextChange(a).split(" ");
            assertEquals("PUT", change[1], String.join(" ", change));
            seen.add(change[2] + "=" + change[3]);
            long sequence = Long.parseLong(change[4]);
            assertTrue(sequence > lastSequence, "sequences increase in commit order: " + seen);
            lastSequence = sequence;
        }
        assertEquals(expected, seen, "every change of both writers, in the order they were made");

        group.get(0).kill();
        group.get(0).awaitExit(TAKEOVER_TIMEOUT);
        a.expect("put after/a 1", "OK"); // in the new term, which the subscriber joins subscribed
        b.expect("put after/b 2", "OK");
        assertEquals("CHANGE GAP LEADER_CHANGED", nextChange(a), "the failover is reported as a gap");
        assertTrue(nextChange(a).startsWith("CHANGE PUT after/a 1 "));
        assertTrue(nextChange(a).startsWith("CHANGE PUT after/b 2 "));
    }

    private static String nextChange(ChildProcess child) throws InterruptedException {
        String change = child.nextChange(TAKEOVER_TIMEOUT);
        assertNotNull(change, child + " announced no change within " + TAKEOVER_TIMEOUT);
        return change;
    }
}
