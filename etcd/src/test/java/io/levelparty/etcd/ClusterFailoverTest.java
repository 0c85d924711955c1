package io.levelparty.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A three-member etcd cluster whose raft leader is killed (SIGKILL) twice while writers work: no
 * acknowledged write is lost, and none is applied twice. Writers put keys of their own and
 * {@code merge} shared counters; a merge is a read and a compare-and-set, so a compare-and-set
 * resent blindly after a leader died with its reply would fail, be read again and be applied a
 * second time, and the counter would then exceed the merges that were acknowledged or gave up.
 *
 * <p>The client talks to the leader when the first kill comes. A kill loses a reply to a committed
 * transaction only when it falls between the commit and the reply, microseconds on loopback, so
 * this test guards against lost writes more than against doubled ones; {@link ExactlyOnceTest}
 * loses such replies on purpose.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterFailoverTest {
    private static final int WRITERS = 8;
    private static final int COUNTERS = 2;
    private static final int KILLS = 3;
    private static final int WRITES_BETWEEN_KILLS = 150;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static List<EtcdProcess> members;

    @BeforeAll
    static void startCluster() {
        members = EtcdProcess.startCluster(3);
    }

    @AfterAll
    static void stopCluster() {
        if (members != null) {
            members.forEach(EtcdProcess::close);
        }
    }

    @Test
    void killingTheLeaderDuringWritesLosesAndDoublesNothingAcknowledged() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acknowledged = new AtomicInteger();
        Map<String, String> putsAcknowledged = new ConcurrentHashMap<>();
        Map<String, Set<Long>> countsReturned = new ConcurrentHashMap<>();
        AtomicInteger mergesGivenUp = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try (Client admin = Client.builder().endpoints(members.stream().map(m -> "http://" + m.endpoint())
                        .toArray(String[]::new)).build()) {
            // The client talks to the first endpoint it reaches: the leader, so that killing it
            // drops replies to transactions it may already have committed.
            EtcdProcess first = leader(admin);
            String endpoints = Stream.concat(Stream.of(first), members.stream().filter(m -> m != first))
                    .map(EtcdProcess::endpoint).collect(Collectors.joining(","));
            runWriters(admin, URI.create("etcd://" + endpoints + "/failover"), stop, acknowledged, putsAcknowledged,
                    countsReturned, mergesGivenUp, pool);
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    private void runWriters(Client admin, URI uri, AtomicBoolean stop, AtomicInteger acknowledged,
            Map<String, String> putsAcknowledged, Map<String, Set<Long>> countsReturned, AtomicInteger mergesGivenUp,
            ExecutorService pool) throws Exception {
        try (PartyMap<String> map = LevelParty.open(uri, Codecs.utf8())) {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String key = "w" + writer + "-" + i;
                        String counter = "counter-" + (i % COUNTERS);
                        try {
                            map.put(key, String.valueOf(i));
                            putsAcknowledged.put(key, String.valueOf(i));
                        } catch (PartyUnavailableException e) {
                            // may or may not have taken effect: not counted either way
                        }
                        try {
                            long count = Long.parseLong(map.merge(counter, "1", ClusterFailoverTest::sum));
                            assertTrue(countsReturned.computeIfAbsent(counter, c -> ConcurrentHashMap.newKeySet())
                                    .add(count), "two merges of " + counter + " returned " + count);
                        } catch (PartyUnavailableException e) {
                            mergesGivenUp.incrementAndGet();
                        }
                        acknowledged.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (int kill = 0; kill < KILLS; kill++) {
                awaitWrites(acknowledged, WRITES_BETWEEN_KILLS);
                EtcdProcess leader = leader(admin);
                leader.kill();
                awaitWrites(acknowledged, WRITES_BETWEEN_KILLS);
                leader.restart();
            }
            awaitWrites(acknowledged, WRITES_BETWEEN_KILLS);
            stop.set(true);
            for (Future<?> writer : writers) {
                writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }

            Map<String, String> missing = new ConcurrentHashMap<>();
            putsAcknowledged.forEach((key, value) -> {
                if (!value.equals(map.get(key))) {
                    missing.put(key, value);
                }
            });
            assertEquals(Map.of(), missing, "acknowledged puts lost");
            for (Map.Entry<String, Set<Long>> counter : countsReturned.entrySet()) {
                long value = Long.parseLong(map.get(counter.getKey()));
                Set<Long> returned = new HashSet<>(counter.getValue());
                assertTrue(value >= returned.size() && value <= returned.size() + mergesGivenUp.get(),
                        counter.getKey() + " is " + value + " after " + returned.size() + " acknowledged merges and "
                                + mergesGivenUp.get() + " given up (of all counters)");
                for (long count : returned) {
                    assertTrue(count >= 1 && count <= value, counter.getKey() + " returned " + count);
                }
            }
        }
    }

    /** Waits until {@code n} more writes were made. */
    private static void awaitWrites(AtomicInteger made, int n) {
        int target = made.get() + n;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (made.get() < target) {
            if (System.nanoTime() - deadline > 0) {
                fail("writes stalled: " + made.get() + " of " + target + " after " + WAIT);
            }
            EtcdProcess.pollPause();
        }
    }

    /** Returns the member that leads the cluster now, asking each live member. */
    private static EtcdProcess leader(Client admin) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            for (EtcdProcess member : members) {
                if (!member.isAlive()) {
                    continue;
                }
                try {
                    StatusResponse status = admin.getMaintenanceClient().statusMember("http://" + member.endpoint())
                            .get(5, TimeUnit.SECONDS);
                    if (status.getLeader() != 0 && status.getLeader() == status.getHeader().getMemberId()) {
                        return member;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // this member is not answering yet: ask the others
                }
            }
            EtcdProcess.pollPause();
        }
        return fail("no member led the cluster within " + WAIT);
    }

    private static String sum(String a, String b) {
        return String.valueOf(Long.parseLong(a) + Long.parseLong(b));
    }
}
