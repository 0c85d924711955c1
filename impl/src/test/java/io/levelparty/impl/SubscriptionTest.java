package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Change;
import io.levelparty.Change.GapReason;
import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyClosedException;
import io.levelparty.PartyMap;
import io.levelparty.Role;
import io.levelparty.Subscription;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Change subscriptions in one JVM: a leader map and follower maps of the same directory. */
class SubscriptionTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    /** Returns {@code change} as a {@code type}, failing the test if it is another kind of change. */
    @SuppressWarnings("unchecked") // every kind of a Change<String> has String values
    private static <C extends Change<String>> C expect(Class<?> type, Change<String> change) {
        return (C) assertInstanceOf(type, change);
    }

    /** Collects the changes a subscriber receives. */
    private static final class Received {
        final BlockingQueue<Change<String>> changes = new LinkedBlockingQueue<>();

        void accept(Change<String> change) {
            changes.add(change);
        }

        Change<String> next() throws InterruptedException {
            Change<String> change = changes.poll(Poll.DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(change, "no change arrived within " + Poll.DEADLINE);
            return change;
        }

        /** Returns the next change that is not a gap. */
        Change<String> nextChange() throws InterruptedException {
            Change<String> change = next();
            while (change instanceof Change.Gap) {
                change = next();
            }
            return change;
        }
    }

    @Test
    void leaderAndFollowerSubscribersSeeEveryProcessWritesInCommitOrder() throws Exception {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> other = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Role.FOLLOWER, follower.role());
            Received atLeader = new Received();
            Received atFollower = new Received();
            leader.subscribe(atLeader::accept);
            follower.subscribe(atFollower::accept);

            leader.put("a", "1");
            other.put("b", "2");
            follower.remove("a");
            other.batch().put("c", "3").put("d", "4").apply();
            assertTrue(other.replace("b", "2", "22"));
            assertTrue(!other.replace("b", "2", "23")); // fails: no change
            follower.remove("nothing"); // removes nothing: no change

            for (Received received : List.of(atLeader, atFollower)) {
                Change.Put<String> a = expect(Change.Put.class, received.next());
                Change.Put<String> b = expect(Change.Put.class, received.next());
                Change.Remove<String> removeA = expect(Change.Remove.class, received.next());
                Change.Put<String> c = expect(Change.Put.class, received.next());
                Change.Put<String> d = expect(Change.Put.class, received.next());
                Change.Put<String> b22 = expect(Change.Put.class, received.next());
                assertEquals(List.of("a=1", "b=2", "c=3", "d=4", "b=22"),
                        List.of(a.key() + "=" + a.value(), b.key() + "=" + b.value(), c.key() + "=" + c.value(),
                                d.key() + "=" + d.value(), b22.key() + "=" + b22.value()));
                assertEquals("a", removeA.key());
                assertTrue(a.sequence() < b.sequence() && b.sequence() < removeA.sequence()
                        && removeA.sequence() < c.sequence() && c.sequence() < b22.sequence());
                assertEquals(c.sequence(), d.sequence(), "a batch's changes share its sequence");
                other.put("marker", "m");
                Change.Put<String> marker = expect(Change.Put.class, received.next());
                assertEquals("marker", marker.key(), "nothing between the last write and the marker");
            }
        }
    }

    @Test
    void aRangeSubscriptionSeesOnlyItsKeys() throws Exception {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            Received received = new Received();
            follower.subscribe("b", true, "d", false, received::accept);
            leader.batch().put("a", "x").put("b", "x").put("c", "x").put("d", "x").apply();
            leader.put("bb", "y");
            leader.put("e", "y");
            leader.put("d", "y");
            leader.put("b", "z");
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                keys.add(((Change.Put<String>) received.next()).key());
            }
            assertEquals(List.of("b", "c", "bb", "b"), keys);
            assertThrows(IllegalArgumentException.class, () -> leader.subscribe("z", true, "a", true, c -> {}));
            assertThrows(NullPointerException.class, () -> leader.subscribe(null));
        }
    }

    @Test
    void aClosedSubscriptionReceivesNothingMore() throws Exception {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8())) {
            Received closed = new Received();
            Received open = new Received();
            Subscription subscription = leader.subscribe(closed::accept);
            leader.subscribe(open::accept);
            subscription.close();
            leader.put("k", "v");
            assertEquals("k", ((Change.Put<String>) open.next()).key());
            assertNull(closed.changes.poll(100, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void aSubscriberThatFallsBehindIsToldOfTheChangesItMissed() throws Exception {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8())) {
            CountDownLatch release = new CountDownLatch(1);
            Received received = new Received();
            leader.subscribe(change -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                received.accept(change);
            });
            int writes = PartyMap.SUBSCRIBER_QUEUE_CAPACITY + 100;
            for (int i = 0; i < writes; i++) {
                leader.put("k" + i, "v");
            }
            release.countDown();
            List<Change<String>> delivered = new ArrayList<>();
            do {
                delivered.add(received.next());
            } while (!(delivered.get(delivered.size() - 1) instanceof Change.Gap));
            Change.Gap<String> gap = (Change.Gap<String>) delivered.get(delivered.size() - 1);
            assertEquals(GapReason.OVERFLOW, gap.reason());
            assertTrue(delivered.size() < writes, delivered.size() + " changes delivered of " + writes);
            for (int i = 0; i < delivered.size() - 1; i++) {
                assertEquals("k" + i, ((Change.Put<String>) delivered.get(i)).key(), "the changes before the gap");
            }
            leader.put("last", "v");
            assertEquals("last", ((Change.Put<String>) received.next()).key(), "delivery goes on after the gap");
        }
    }

    @Test
    void aFollowerSubscriberIsToldOfTheLeaderChangeAndGoesOnWithTheNewLeader() throws Exception {
        PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
        try (PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> other = LevelParty.open(dir, Codecs.utf8())) {
            Received received = new Received();
            follower.subscribe(received::accept);
            leader.put("before", "1");
            assertEquals("before", ((Change.Put<String>) received.next()).key());
            leader.close();
            // The follower's own write runs in the new term, which it joins subscribed: its change
            // cannot fall into the gap, whichever process leads now.
            follower.put("after", "2");
            Change.Gap<String> gap = expect(Change.Gap.class, received.next());
            assertEquals(GapReason.LEADER_CHANGED, gap.reason());
            Change.Put<String> after = expect(Change.Put.class, received.nextChange());
            assertEquals("after", after.key());
            other.put("again", "3");
            assertEquals("again", ((Change.Put<String>) received.nextChange()).key());
        } finally {
            leader.close();
        }
    }

    @Test
    void subscribingToAClosedMapFails() {
        PartyMap<String> map = LevelParty.open(dir, Codecs.utf8());
        map.close();
        assertThrows(PartyClosedException.class, () -> map.subscribe(c -> {}));
    }
}
