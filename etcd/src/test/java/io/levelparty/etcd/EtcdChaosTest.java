package io.levelparty.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.levelparty.tck.party.FailoverChaosContract;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;

/**
 * The failover chaos contract on a three-member etcd cluster: {@value #MEMBERS} worker JVMs, each
 * opening the map through a different member ({@code etcd://127.0.0.1:<its port>/chaos}), put
 * unique values, increment counters by compare-and-set and scan, while the harness kills the
 * cluster's raft leader with SIGKILL, waits for the others to elect a new one, and restarts it on
 * its data. Nothing acknowledged may be lost or applied twice, every scan must be exact and no
 * call may hang; the contract prints one {@code chaos: …} line.
 *
 * <p>A kill drops every connection to the leader: the worker that talks to it loses its member
 * until the restart, and requests in flight may lose their replies after the leader committed
 * them, which is when a resent write must not apply twice (with a request record made anew for
 * each attempt, 8 kills showed 7 puts applied twice). The raft leader is the member that says so
 * in its own status (etcd's maintenance API). By default {@value #DEFAULT_KILLS} kills, 30 to
 * 50 s on two cores as loaded as a build makes them; {@value #KILLS_PROPERTY} sets more.
 */
@Order(1)
class EtcdChaosTest extends FailoverChaosContract {
    /** How many leaders a run kills unless {@value #KILLS_PROPERTY} says otherwise. */
    static final int DEFAULT_KILLS = 6;
    private static final int MEMBERS = 3;
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration ELECTION_TIMEOUT = Duration.ofSeconds(60);

    private static List<EtcdProcess> members;
    private static Client admin;

    @BeforeAll
    static void startCluster() {
        members = EtcdProcess.startCluster(MEMBERS);
        admin = Client.builder().endpoints(members.stream().map(m -> "http://" + m.endpoint()).toArray(String[]::new))
                .build();
    }

    @AfterAll
    static void stopCluster() {
        if (admin != null) {
            admin.close();
        }
        if (members != null) {
            members.forEach(EtcdProcess::close);
        }
    }

    @Override
    protected URI newMap(Path tmp) {
        return URI.create("etcd://" + members.stream().map(EtcdProcess::endpoint).collect(Collectors.joining(","))
                + "/chaos");
    }

    /** Returns the map through member {@code worker} modulo the cluster's size: one member a worker. */
    @Override
    protected URI workerMap(URI map, int worker) {
        return URI.create("etcd://" + members.get(worker % MEMBERS).endpoint() + map.getPath());
    }

    @Override
    protected int workers() {
        return MEMBERS;
    }

    @Override
    protected int defaultKills() {
        return DEFAULT_KILLS;
    }

    /**
     * Returns a minute: a worker's open loads and connects jetcd's gRPC stack, and on two cores
     * shared with the other workers, three etcd servers and other test classes, a worker has
     * failed to open within the default ten seconds, before any kill, while the first worker
     * went on writing through another member.
     */
    @Override
    protected Duration workerOpenTimeout() {
        return Duration.ofMinutes(1);
    }

    @Override
    protected void killLeader() throws InterruptedException {
        EtcdProcess leader = awaitLeader();
        long before = System.nanoTime();
        leader.kill();
        long after = System.nanoTime();
        recordKill(before, after);
        // Restarted only once the survivors have elected a leader: the kill is a real loss of the
        // leader, not a restart the cluster could ride out under its old term.
        awaitLeader();
        leader.restart();
    }

    /** Returns the live member that leads the cluster, waiting for an election if none does. */
    private static EtcdProcess awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + ELECTION_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            for (EtcdProcess member : members) {
                if (member.isAlive() && leads(member)) {
                    return member;
                }
            }
            EtcdProcess.pollPause();
        }
        throw new AssertionError("no member of " + members.size() + " led the cluster within " + ELECTION_TIMEOUT);
    }

    /** Returns whether {@code member} answers in time that it is the raft leader. */
    private static boolean leads(EtcdProcess member) throws InterruptedException {
        try {
            StatusResponse status = admin.getMaintenanceClient().statusMember("http://" + member.endpoint())
                    .get(STATUS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return status.getLeader() != 0 && status.getLeader() == status.getHeader().getMemberId();
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }
}
