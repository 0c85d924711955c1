package io.levelparty.tck.party;

import static io.levelparty.tck.TraversalAssertions.assertWeaklyConsistent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.PartyUnavailableException;
import io.levelparty.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a follower sees when its leader goes away while it works: the leader closes, or is killed
 * with SIGKILL, in the middle of an iteration; or it stops (SIGSTOP) and later continues.
 *
 * <p><b>Iterators across failover.</b> The directory holds {@value #STABLE} keys
 * ({@code k0000, k0002, … k2998}), and the follower iterates a view of at least 1,000 of them —
 * sub maps and descending maps with inclusive and exclusive bounds, so that the iteration crosses
 * several pages of the largest size an implementation is likely to use (256) — and stops at given
 * positions (inside the first page, at a page boundary, further on). At each stop the current
 * leader goes away, and the follower writes and removes keys between the stable ones, ahead of and
 * behind the iterator, which also carries its writes over to the new leader. The iteration must
 * then go on exactly after the last key it returned: every stable key of the view exactly once, in
 * the view's order, with its value, and no key that was never in the map
 * ({@link io.levelparty.tck.TraversalAssertions#assertWeaklyConsistent}).
 * <ul>
 *   <li>In one JVM, a second open of a directory becomes a follower of the first. The leader and
 *       three other followers are maps of this JVM, and each stop closes the current leader, so
 *       that the iterating follower follows whichever process wins the election, or leads itself.
 *       Since who wins is not up to the test, the scenario is repeated (at most
 *       {@value #ATTEMPTS} times) until the follower has followed another process at least once;
 *       after the last stop it leads in every case.</li>
 *   <li>Across JVMs, the leader and a second follower are child processes ({@link PartyChild}),
 *       killed with SIGKILL in turn until this JVM's follower leads.</li>
 * </ul>
 *
 * <p><b>A stopped leader.</b> With the leader in a child JVM stopped by SIGSTOP, calls of a
 * follower whose request timeout is one second, and an attempt to open the directory, throw
 * {@link PartyUnavailableException} within a few seconds instead of hanging; once the leader
 * continues (SIGCONT), the same follower works again, and reads each write the leader then
 * acknowledges (its first read was made while the leader was stopped). Signals are sent with the {@code kill}
 * command, so this test needs a POSIX system.
 *
 * <p>Every process opens the directory through {@link LevelParty#open(java.net.URI, PartyOptions)}
 * with its {@code file:} URI. The contract is about LevelParty's own party on a LevelDB
 * directory, and runs on nothing else: what it checks is what a follower sees when its leader
 * process goes away, and a store without such a leader (etcd orders writes with its own raft
 * leader, outside the processes that use the map) has none to lose.
 *
 * <p>Subclass it in a test source set whose class path holds the implementation; children get the
 * same class path and the JVM flags in {@value ChildProcess#JVM_FLAGS_PROPERTY}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class LeaderLossContract {
    /** Number of keys stored before an iteration. */
    static final int STABLE = 1500;
    /** How often the one-JVM scenario may run before another process must have taken over the follower's leader. */
    static final int ATTEMPTS = 10;
    /** Where iterations stop for the leader to go away: how many elements they returned by then. */
    private static final int[] STOPS = {7, 16, 500, 1000};
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration STOPPED_CALL_TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    Path tmp;
    private final List<PartyMap<String>> maps = new ArrayList<>();
    private final List<ChildProcess> children = new ArrayList<>();

    @AfterEach
    void release() {
        children.forEach(ChildProcess::close);
        maps.forEach(PartyMap::close);
    }

    /** The views iterated, each over more than 1,000 of the stable keys. */
    enum Shape {
        SUB_MAP_INCLUSIVE("subMap(k0200, true, k2800, true).entrySet()", true,
                m -> m.subMap(key(200), true, key(2800), true)),
        SUB_MAP_EXCLUSIVE("subMap(k0200, false, k2800, false).keySet()", false,
                m -> m.subMap(key(200), false, key(2800), false)),
        DESCENDING_INCLUSIVE("subMap(k0200, true, k2800, true).descendingMap().entrySet()", true,
                m -> m.subMap(key(200), true, key(2800), true).descendingMap()),
        DESCENDING_EXCLUSIVE("descendingMap().subMap(k2800, false, k0200, false).keySet()", false,
                m -> m.descendingMap().subMap(key(2800), false, key(200), false)),
        DESCENDING_HEAD_MAP("descendingMap().headMap(k0600, true).entrySet()", true,
                m -> m.descendingMap().headMap(key(600), true));

        private final String description;
        private final boolean entries;
        private final UnaryOperator<NavigableMap<String, String>> view;

        Shape(String description, boolean entries, UnaryOperator<NavigableMap<String, String>> view) {
            this.description = description;
            this.entries = entries;
            this.view = view;
        }

        NavigableMap<String, String> of(NavigableMap<String, String> map) {
            return view.apply(map);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Shape.class)
    void anIteratorResumesWhereItWasWhenItsLeaderCloses(Shape shape) throws InterruptedException {
        boolean followedAnother = false;
        for (int attempt = 1; attempt <= ATTEMPTS && !followedAnother; attempt++) {
            followedAnother = iterateWhileLeadersClose(shape, tmp.resolve("db" + attempt));
        }
        assertTrue(followedAnother, "in " + ATTEMPTS + " attempts the iterating follower always won the "
                + "election itself, so following another process was never tried");
    }

    /**
     * Iterates {@code shape} of a follower while its leaders close, one at each stop; returns
     * whether the follower followed another process than the first leader at some stop.
     */
    private boolean iterateWhileLeadersClose(Shape shape, Path dir) throws InterruptedException {
        PartyMap<String> first = open(dir, PartyOptions.of(Codecs.utf8()));
        assertEquals(Role.LEADER, first.role());
        writeStable(first);
        List<PartyMap<String>> others = new ArrayList<>(List.of(first));
        for (int i = 0; i < 3; i++) {
            others.add(open(dir, PartyOptions.of(Codecs.utf8())));
        }
        PartyMap<String> follower = open(dir, PartyOptions.of(Codecs.utf8()));
        assertEquals(Role.FOLLOWER, follower.role());

        Traversal traversal = new Traversal(shape, follower);
        boolean followedAnother = false;
        for (int stop = 0; stop < STOPS.length; stop++) {
            traversal.advanceTo(STOPS[stop]);
            if (follower.role() == Role.LEADER) {
                traversal.churn(stop); // nobody else is left to take over
                continue;
            }
            PartyMap<String> leader = awaitLeader(others);
            leader.close();
            others.removeIf(m -> m == leader); // by identity: maps are equal when their contents are
            traversal.churn(stop); // completes with the new leader, whoever it is
            followedAnother |= follower.role() == Role.FOLLOWER;
        }
        traversal.finish();
        traversal.check();
        assertEquals(Role.LEADER, follower.role(), "the iterating follower leads once the others have gone");
        follower.close();
        others.forEach(PartyMap::close);
        return followedAnother;
    }

    /** Returns the one map of {@code candidates} that leads, waiting for its role to show. */
    private static PartyMap<String> awaitLeader(List<PartyMap<String>> candidates) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            for (PartyMap<String> candidate : candidates) {
                if (candidate.role() == Role.LEADER) {
                    return candidate;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                fail("none of the other processes leads within " + DEADLINE);
            }
            Thread.yield();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Shape.class)
    void anIteratorResumesWhereItWasWhenItsLeaderIsKilled(Shape shape) throws InterruptedException {
        Path dir = tmp.resolve("db");
        ChildProcess leader = start("leader", dir);
        assertEquals("LEADER", leader.awaitReady());
        ChildProcess other = start("other", dir);
        assertEquals("FOLLOWER", other.awaitReady());
        PartyMap<String> follower = open(dir, PartyOptions.of(Codecs.utf8()));
        assertEquals(Role.FOLLOWER, follower.role());
        writeStable(follower);

        Traversal traversal = new Traversal(shape, follower);
        traversal.advanceTo(STOPS[1]);
        leader.kill();
        leader.awaitExit(DEADLINE);
        traversal.churn(0);
        if (follower.role() == Role.FOLLOWER) { // the other child won the election: kill it too
            awaitRole(other, "LEADER");
            traversal.advanceTo(STOPS[2]);
            other.kill();
            other.awaitExit(DEADLINE);
            traversal.churn(1);
        }
        traversal.finish();
        traversal.check();
        assertEquals(Role.LEADER, follower.role(), "the iterating follower leads once the children are dead");
    }

    private static void awaitRole(ChildProcess child, String role) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!child.expect("role", "ROLE ").equals("ROLE " + role)) {
            if (System.nanoTime() - deadline > 0) {
                fail(child + " is not " + role + " within " + DEADLINE);
            }
        }
    }

    @Test
    void callsToAStoppedLeaderFailInTimeAndWorkAgainWhenItContinues() throws Exception {
        Path dir = tmp.resolve("db");
        ChildProcess leader = start("leader", dir);
        assertEquals("LEADER", leader.awaitReady());
        PartyOptions<String> options = PartyOptions.of(Codecs.utf8()).requestTimeout(STOPPED_CALL_TIMEOUT);
        PartyMap<String> follower = open(dir, options);
        assertEquals(Role.FOLLOWER, follower.role());
        follower.put("before", "1");

        ChildProcess.signal(leader.pid(), "STOP");
        // Bounded waits: several times the request timeout, where a hang would be forever.
        Duration bound = STOPPED_CALL_TIMEOUT.multipliedBy(10);
        assertTimeoutPreemptively(bound, () -> assertThrows(PartyUnavailableException.class,
                () -> follower.get("before")), "get while the leader is stopped");
        assertTimeoutPreemptively(bound, () -> assertThrows(PartyUnavailableException.class,
                () -> follower.put("during", "2")), "put while the leader is stopped");
        assertTimeoutPreemptively(bound.plus(options.requestTimeout()), () -> assertThrows(
                PartyUnavailableException.class, () -> open(dir, options.openTimeout(Duration.ofSeconds(2)))),
                "open while the leader is stopped");

        ChildProcess.signal(leader.pid(), "CONT");
        assertEquals("1", follower.get("before"));
        // The follower's first read came while the leader was stopped, which is when a cache
        // starts its lease: each write the leader acknowledges from now on is read back at once.
        for (int i = 0; i < 20; i++) {
            leader.expect("put before " + i, "OK");
            assertEquals(Integer.toString(i), follower.get("before"), "read after the leader's write " + i);
        }
        follower.put("after", "3");
        assertEquals("VALUE 3", leader.expect("get after", "VALUE "));
        assertEquals(Role.FOLLOWER, follower.role(), "the follower kept its leader");
        assertEquals("ROLE LEADER", leader.expect("role", "ROLE "));
    }

    private PartyMap<String> open(Path dir, PartyOptions<String> options) {
        PartyMap<String> map = LevelParty.open(dir.toUri(), options);
        maps.add(map);
        return map;
    }

    private ChildProcess start(String name, Path dir) {
        ChildProcess child = ChildProcess.start(name, dir.toUri());
        children.add(child);
        return child;
    }

    /** Returns key number {@code i}: the stable keys are the even ones, the churned keys odd ones between them. */
    private static String key(int i) {
        return String.format("k%04d", i);
    }

    /** Returns the value stored under {@code key}. */
    private static String valueOf(String key) {
        return "v:" + key;
    }

    private static void writeStable(PartyMap<String> map) {
        PartyMap.Batch<String> batch = map.batch();
        stableKeys().forEach(k -> batch.put(k, valueOf(k)));
        batch.apply();
    }

    private static List<String> stableKeys() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < STABLE; i++) {
            keys.add(key(2 * i));
        }
        return keys;
    }

    /**
     * One iteration of a view of the follower, taken a stretch at a time, and the keys written
     * and removed meanwhile.
     */
    private static final class Traversal {
        private final Shape shape;
        private final PartyMap<String> map;
        private final NavigableMap<String, String> view;
        private final Iterator<?> iterator;
        private final List<String> seen = new ArrayList<>();
        private final List<String> wrongValues = new ArrayList<>();
        /** Every key written between the stable ones: the iteration may or may not return them. */
        private final List<String> churned = new ArrayList<>();
        private final List<String> lastChurned = new ArrayList<>();

        Traversal(Shape shape, PartyMap<String> map) {
            this.shape = shape;
            this.map = map;
            this.view = shape.of(map);
            this.iterator = shape.entries ? view.entrySet().iterator() : view.keySet().iterator();
        }

        void advanceTo(int count) {
            while (seen.size() < count && iterator.hasNext()) {
                take();
            }
            assertEquals(count, seen.size(), shape + ": the iteration ended early");
        }

        void finish() {
            while (iterator.hasNext()) {
                if (seen.size() > 2 * STABLE) {
                    fail(shape + ": the iteration does not end");
                }
                take();
            }
        }

        private void take() {
            Object next = iterator.next();
            if (next instanceof Map.Entry<?, ?> entry) {
                String key = (String) entry.getKey();
                seen.add(key);
                if (!valueOf(key).equals(entry.getValue())) {
                    wrongValues.add(entry.toString());
                }
            } else {
                seen.add((String) next);
            }
        }

        /**
         * Writes two keys between the stable ones, far apart so that one is ahead of the
         * iteration and one behind it, and removes those of the previous stop.
         */
        void churn(int stop) {
            for (String key : lastChurned) {
                assertEquals(valueOf(key), map.remove(key), shape + ": removing " + key);
            }
            lastChurned.clear();
            for (String key : List.of(key(401 + 600 * stop), key(2599 - 600 * stop))) {
                assertEquals(null, map.put(key, valueOf(key)), shape + ": putting " + key);
                lastChurned.add(key);
                churned.add(key);
            }
        }

        void check() {
            TreeMap<String, String> stable = new TreeMap<>();
            stableKeys().forEach(k -> stable.put(k, valueOf(k)));
            Collection<String> mustSee = shape.of(stable).keySet();
            TreeMap<String, String> everything = new TreeMap<>(stable);
            churned.forEach(k -> everything.put(k, valueOf(k)));
            Collection<String> mayContain = shape.of(everything).keySet();
            assertTrue(mustSee.size() >= 1000, shape + " covers at least 1,000 keys");
            assertWeaklyConsistent(seen, view.comparator(), mustSee, mayContain,
                    shape + " iterated across failover");
            assertTrue(wrongValues.isEmpty(), () -> shape + ": entries with wrong values " + wrongValues);
        }
    }
}
