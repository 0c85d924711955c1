package io.levelparty.impl;

import io.levelparty.PartyUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Decides this process's role for a directory: the OPENING state of DESIGN §5.
 *
 * <pre>
 * OPENING: try to open LevelDB
 *   ok                         -> LEADER: remove a stale socket file, bind, serve
 *   lock held by someone else  -> connect to the socket
 *        ok                    -> FOLLOWER
 *        refused / no file     -> jittered backoff (0.5 ms, doubling up to 50 ms), OPENING again
 *   past the deadline          -> PartyUnavailableException
 * </pre>
 *
 * Any other failure to open LevelDB (the path is a file, permissions, corruption) is final and
 * thrown at once: retrying would only hide it. A process that finds a socket file, so joins a party
 * that exists or existed, {@linkplain LeaderServer#prepare() prepares to serve} before it first
 * competes for the lock: should it win, because the leader dies just then, the followers need not
 * wait while it loads what serving takes (it would need most of it as a follower anyway). The backoff is jittered so that followers racing
 * for a lost leader's lock do not move in step; it starts below a millisecond, because the winner
 * binds within a millisecond or two of taking the lock, and doubles up to 50 ms, so that a long
 * wait for a slow leader costs little.
 */
final class Election {
    private static final long FIRST_BACKOFF_MICROS = 500;
    private static final long MAX_BACKOFF_MICROS = 50_000;

    private final Path dir;
    private final Path socket;
    private final Duration requestTimeout;
    private final Set<Integer> allowedUids;
    private final UUID clientId;

    Election(Path dir, Path socket, Duration requestTimeout, Set<Integer> allowedUids, UUID clientId) {
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
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            LeaderServer.prepare();
        }
        while (true) {
            LocalStore local = LocalStore.tryOpen(dir);
            if (local != null) {
                return lead(local);
            }
            try {
                return new Backend.Followership(RemoteStore.connect(socket, requestTimeout, clientId));
            } catch (IOException e) {
                lastError = e; // the leader died or has not bound yet: try for the lock again
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

    private Backend lead(LocalStore local) {
        try {
            local.sweepStaleRecords(System.currentTimeMillis());
            return new Backend.Leadership(local, LeaderServer.start(local, socket, allowedUids));
        } catch (IOException | RuntimeException e) {
            local.close();
            throw new PartyUnavailableException("Took the lock of " + dir + " but could not listen on " + socket
                    + ": " + e, e);
        }
    }

    /** Sleeps between half and all of {@code maxMicros}, but not past the deadline. */
    private static void backOff(long maxMicros, long leftNanos) {
        long micros = ThreadLocalRandom.current().nextLong(maxMicros / 2, maxMicros + 1);
        long nanos = Math.min(TimeUnit.MICROSECONDS.toNanos(micros), leftNanos);
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PartyUnavailableException("Interrupted while electing a leader", e);
        }
    }
}
