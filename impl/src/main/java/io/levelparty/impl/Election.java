package io.levelparty.impl;

import io.levelparty.PartyUnavailableException;
import io.levelparty.StorageEngine;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides this process's role for a directory: whether it leads or follows, and whom.
 *
 * <pre>
 * OPENING: try to open LevelDB
 *   ok                         -> LEADER: remove a stale socket file, bind, serve;
 *                                 a second later, and then regularly, sweep stale exactly-once records
 *   lock held by someone else  -> connect to the socket
 *        ok                    -> FOLLOWER
 *        refused / no file     -> jittered backoff (0.25 ms, doubling up to 2 ms), OPENING again
 *   past the deadline          -> PartyUnavailableException
 * </pre>
 *
 * Any other failure to open LevelDB (the path is a file, permissions, corruption) is final and
 * thrown at once: retrying would only hide it. A process that finds a socket file, so joins a party
 * that exists or existed, {@linkplain LeaderServer#prepare() prepares to serve} before it first
 * competes for a lock it finds free: should it win, because the leader dies just then, the
 * followers need not wait while it loads what serving takes. While the leader holds the lock it
 * does not: a process that only follows does not pay for it.
 *
 * <p>The backoff is jittered so that followers racing for a lost leader's lock do not move in
 * step. It stays short because every millisecond a loser sleeps after the winner starts listening
 * is added to that loser's failover: the winner listens as soon as LevelDB has replayed the dead
 * leader's log, which takes from under a millisecond to tens of them. An attempt costs a failed
 * lock and a refused connect, some tens of microseconds, so even a long wait for a slow leader
 * costs a waiting process about one percent of a CPU.
 */
final class Election {
    private static final Logger log = LoggerFactory.getLogger(Election.class);
    private static final long FIRST_BACKOFF_MICROS = 250;
    private static final long MAX_BACKOFF_MICROS = 2_000;
    /**
     * How long the lock may be held with nothing accepting connections on the socket before its
     * holder is taken for a program that is not LevelParty: a new leader binds within
     * milliseconds of taking the lock, and a closing one lets go of it as soon as it has deleted
     * its socket.
     */
    private static final long FOREIGN_HOLDER_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a new leader waits before it sweeps stale records: past the rush of a failover. */
    private static final long SWEEP_DELAY_MILLIS = 1_000;
    /** How often a leader sweeps again. */
    private static final long SWEEP_PERIOD_MINUTES = 10;
    /** Runs the sweeps of every directory this process leads, one at a time. */
    private static final ScheduledExecutorService SWEEPS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "levelparty-sweeper");
        thread.setDaemon(true);
        return thread;
    });

    private final Path dir;
    private final Path socket;
    private final Duration requestTimeout;
    private final Set<Integer> allowedUids;
    private final UUID clientId;
    private final boolean syncWrites;
    /** The LevelDB engine this process leads with: native, Java, or AUTO, decided when it first competes. */
    private final StorageEngine engine;
    /** Null once the map closed, so that a closed map kept by its user keeps no cache reachable. */
    private volatile FollowerCache cache;

    /**
     * {@code cache}, if not null, serves a follower's point reads in every term; with
     * {@code syncWrites}, this process's writes are synced to disk before they are acknowledged,
     * whichever process leads; {@code engine} (native, Java, or AUTO, as
     * {@link LevelDbEngines#checkRequested} leaves it) opens LevelDB when this process leads.
     */
    Election(Path dir, Path socket, Duration requestTimeout, Set<Integer> allowedUids, UUID clientId,
            boolean syncWrites, FollowerCache cache, StorageEngine engine) {
        this.syncWrites = syncWrites;
        this.cache = cache;
        this.engine = engine;
        this.dir = dir;
        this.socket = socket;
        this.requestTimeout = requestTimeout;
        this.allowedUids = allowedUids;
        this.clientId = clientId;
    }

    Path dir() {
        return dir;
    }

    UUID clientId() {
        return clientId;
    }

    /** Returns whether this process's writes are synced to disk before they are acknowledged. */
    boolean syncWrites() {
        return syncWrites;
    }

    /** Returns the follower cache, or null if reads are not cached. */
    FollowerCache cache() {
        return cache;
    }

    /** Lets go of the cache: the map is closed and elects no more. */
    void dropCache() {
        cache = null;
    }

    Path socket() {
        return socket;
    }

    /**
     * Runs the election until this process is leader or follower, or {@code deadlineNanos} (a
     * {@link System#nanoTime()} value) passes.
     */
    Backend run(long deadlineNanos) {
        Exception lastError = null;
        long backoffMicros = FIRST_BACKOFF_MICROS;
        long refusedSince = 0; // since when the lock is held and nobody accepts on the socket, if so
        // Prepares to serve before competing for the lock of a party that exists or existed (see above).
        Runnable beforeCompeting = Files.exists(socket, LinkOption.NOFOLLOW_LINKS) ? LeaderServer::prepare : () -> { };
        while (true) {
            long openStart = System.nanoTime();
            String noRoom = DiskReserve.refusalToLead(dir);
            LocalStore local = noRoom == null ? LocalStore.tryOpen(dir, engine, beforeCompeting) : null;
            if (local != null) {
                return lead(local, openStart);
            }
            try {
                Backend followership = new Backend.Followership(RemoteStore.connect(socket, requestTimeout,
                        handshakeTimeout(deadlineNanos), clientId, cache, allowedUids, syncWrites));
                LeaderServer.rehearseInBackground();
                return followership;
            } catch (IOException e) {
                // The leader died or has not bound yet: try for the lock again. Without room to
                // lead, this process can only follow, and says why it did not lead.
                lastError = noRoom == null ? e : new IOException(noRoom + "; and no leader answered: " + e.getMessage(), e);
                if (!(e instanceof ConnectException) || noRoom != null) {
                    refusedSince = 0; // a live leader that is slow, or a full disk: not a foreign holder
                } else if (refusedSince == 0) {
                    refusedSince = System.nanoTime();
                } else if (System.nanoTime() - refusedSince > FOREIGN_HOLDER_GRACE_NANOS) {
                    failIfForeignHolder();
                }
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new PartyUnavailableException("No leader for " + dir + " could be reached or elected in time"
                        + " (socket " + socket + "); last error: " + lastError, lastError);
            }
            backOff(backoffMicros, left);
            backoffMicros = Math.min(MAX_BACKOFF_MICROS, backoffMicros * 2);
        }
    }

    /**
     * Throws if the lock is held by a process that has not served LevelParty for
     * {@link #FOREIGN_HOLDER_GRACE_NANOS}: waiting for it to answer would only end at the deadline.
     */
    private void failIfForeignHolder() {
        String holder = LockHolder.describe(dir);
        if (holder != null) {
            throw new PartyUnavailableException("The LevelDB lock of " + dir + " is held by " + holder + ", which has "
                    + "not served LevelParty at " + socket + " for a second: LevelParty shares a directory only with "
                    + "other LevelParty processes; close that program, or open the directory when it is done", null);
        }
    }

    /**
     * How long connecting to the leader and its handshake may each take: the request timeout, or
     * what is left before {@code deadlineNanos} if less, so that a stopped leader whose backlog
     * is full cannot hold this election past its deadline.
     */
    private Duration handshakeTimeout(long deadlineNanos) {
        long left = Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadlineNanos - System.nanoTime());
        return Duration.ofNanos(Math.min(left, requestTimeout.toNanos()));
    }

    /** Serves {@code local}, opened from {@code openStart}, to followers; logs how long each step took. */
    private Backend lead(LocalStore local, long openStart) {
        try {
            long opened = System.nanoTime();
            local.fenceFormerLeases(clientId);
            LeaderServer server = LeaderServer.start(local, socket, allowedUids);
            long listening = System.nanoTime();
            log.debug("Pid {} leads {}: LevelDB opened in {} µs, listening {} µs later",
                    ProcessHandle.current().pid(), dir, micros(opened - openStart), micros(listening - opened));
            return new Backend.Leadership(local, server, sweepRegularly(local));
        } catch (IOException | RuntimeException e) {
            local.close();
            throw new PartyUnavailableException("Took the lock of " + dir + " but could not listen on " + socket
                    + ": " + e, e);
        }
    }

    /**
     * Sweeps stale exactly-once records (see {@link LocalStore#sweepStaleRecords}) a second after
     * the takeover, then every {@link #SWEEP_PERIOD_MINUTES} minutes, on a thread shared by all
     * directories: a new leader has followers to serve first (the sweep, which reads every record,
     * cost failovers 7 to 17 ms when it came before listening), and a leader that lasts keeps the
     * records, and their cache in memory, bounded as followers come and go.
     */
    private Future<?> sweepRegularly(LocalStore local) {
        return SWEEPS.scheduleWithFixedDelay(() -> {
            try {
                local.sweepStaleRecords(System.currentTimeMillis());
            } catch (TermEndedException closed) {
                // the leadership is ending, and cancels these sweeps
            } catch (RuntimeException e) {
                log.warn("Sweeping stale records in {} failed: {}", dir, e.toString());
            }
        }, SWEEP_DELAY_MILLIS, TimeUnit.MINUTES.toMillis(SWEEP_PERIOD_MINUTES), TimeUnit.MILLISECONDS);
    }

    private static long micros(long nanos) {
        return TimeUnit.NANOSECONDS.toMicros(nanos);
    }

    /**
     * Sleeps between half and all of {@code maxMicros}, but not past the deadline. An interrupt
     * does not cut the sleep short (the election is bounded by its deadline anyway); it stays set
     * for the caller.
     */
    private static void backOff(long maxMicros, long leftNanos) {
        long micros = ThreadLocalRandom.current().nextLong(maxMicros / 2, maxMicros + 1);
        long until = System.nanoTime() + Math.min(TimeUnit.MICROSECONDS.toNanos(micros), leftNanos);
        boolean interrupted = false;
        for (long left; (left = until - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
            interrupted |= Thread.interrupted(); // else park returns at once while the flag is set
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
