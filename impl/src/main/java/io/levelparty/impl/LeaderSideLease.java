package io.levelparty.impl;

import io.levelparty.impl.Protocol.MessageType;
import io.levelparty.impl.Protocol.Request;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.newsclub.net.unix.AFUNIXSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's end of one follower's cache lease (see {@link CacheCoherence}; the follower's end is
 * {@link FollowerSideLease}): a connection on
 * which the leader sends stamped INVALIDATE and HEARTBEAT frames, and the follower acknowledges.
 *
 * <p>The lease is live until it ends, either because the follower closed the connection (it
 * stopped serving from its cache before, so waiting for it is over at once) or because the leader
 * cut it off (the follower may be stopped with an old stamp: waiting for it is over once the last
 * stamp sent, plus the lease, has passed).
 */
final class LeaderSideLease {
    /*
     * Cutting off versus sending. A sender takes its stamp and publishes it in `lastStamp` before
     * it checks `ended` and writes; cutOff sets `ended` before it reads `lastStamp`. With volatile
     * accesses one of them sees the other: either the sender sees the lease ended and writes
     * nothing, or cutOff sees the sender's stamp and waits it out. So no frame the follower may
     * process carries a stamp later than the one the lease is waited out from.
     */
    private static final Logger log = LoggerFactory.getLogger(LeaderSideLease.class);
    /** How often a lease waited out checks whether the leader is closing. */
    private static final long CLOSE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final int slot;
    private final long token;
    private final long peerPid;
    private final AFUNIXSocket socket;
    private final OutputStream out;
    private final CacheCoherence coherence;
    /** Held while writing a frame: invalidating writers and the heartbeat write to the connection. */
    private final ReentrantLock sendLock = new ReentrantLock();
    private final FrameBuffer frames = new FrameBuffer();
    /** The seq of the last INVALIDATE sent. Written under sendLock. */
    private volatile long sentSeq;
    private volatile long ackedSeq;
    private volatile long lastStamp = System.nanoTime();
    private volatile boolean ended;
    /** When waiting for this lease is over, once ended. */
    private volatile long safeAt;

    LeaderSideLease(int slot, long token, long peerPid, AFUNIXSocket socket, OutputStream out,
            CacheCoherence coherence) {
        this.slot = slot;
        this.token = token;
        this.peerPid = peerPid;
        this.socket = socket;
        this.out = out;
        this.coherence = coherence;
    }

    int slot() {
        return slot;
    }

    long token() {
        return token;
    }

    boolean isLive() {
        return !ended;
    }

    /**
     * Sends INVALIDATE of {@code keys} and returns its seq, which the follower acknowledges; 0 if
     * the lease has ended (there is then nothing to acknowledge, see {@link #nanosUntilSafe}).
     */
    long invalidate(List<byte[]> keys) {
        sendLock.lock();
        try {
            for (int from = 0; from < keys.size(); ) {
                List<byte[]> part = keys.subList(from, from + Protocol.keysThatFit(keys, from));
                long seq = sentSeq + 1;
                sentSeq = seq; // before the frame leaves: its ACK may come back at once
                if (!send(stamp -> Protocol.writeInvalidate(frames, seq, stamp, part))) {
                    return 0;
                }
                from += part.size();
            }
            return sentSeq;
        } finally {
            sendLock.unlock();
        }
    }

    /** Whether the follower acknowledged INVALIDATE {@code seq}; never for 0, which stands for none sent. */
    boolean hasAcknowledged(long seq) {
        return seq > 0 && ackedSeq >= seq;
    }

    /** How long from {@code now} until this lease can no longer serve anything: Long.MAX_VALUE while live. */
    long nanosUntilSafe(long now) {
        return ended ? safeAt - now : Long.MAX_VALUE;
    }

    /**
     * Ends the lease from the leader's side: the follower missed the deadline, or its connection
     * broke. Returns whether this call ended it.
     */
    boolean cutOff() {
        synchronized (this) {
            if (ended) {
                return false;
            }
            end(false);
        }
        log.warn("Cut off the cache lease of follower pid {}: it did not acknowledge an invalidation within {} ms",
                peerPid, TimeUnit.NANOSECONDS.toMillis(CacheCoherence.ACK_DEADLINE_NANOS));
        return true;
    }

    /**
     * Ends the lease once. If the follower closed the connection, it stopped serving from its
     * cache before: waiting for it is over now. Otherwise it is over when the last stamp sent
     * expires.
     */
    private synchronized void end(boolean followerClosed) {
        if (ended) {
            return;
        }
        ended = true;
        safeAt = followerClosed ? System.nanoTime() : lastStamp + CacheCoherence.LEASE_NANOS;
        closeSocket();
        coherence.leaseSettled();
    }

    /** Encodes one frame given its stamp. */
    @FunctionalInterface
    private interface StampedFrame {
        void write(long stamp);
    }

    /** Writes one stamped frame, unless the lease has ended; returns whether it was written. Under sendLock. */
    private boolean send(StampedFrame frame) {
        long stamp = System.nanoTime();
        lastStamp = stamp;
        if (ended) {
            return false;
        }
        frame.write(stamp);
        try {
            frames.writeTo(out);
            return true;
        } catch (IOException e) {
            // Part of the frame may have gone: the follower cannot be told anything reliably any more.
            log.debug("Writing to the lease connection of follower pid {} failed: {}", peerPid, e.toString());
            end(false);
            return false;
        }
    }

    /** Sends a heartbeat if nothing was sent for {@link CacheCoherence#HEARTBEAT_NANOS}, or if {@code now}. */
    private void heartbeat(boolean now) {
        sendLock.lock();
        try {
            if (now || System.nanoTime() - lastStamp >= CacheCoherence.HEARTBEAT_NANOS) {
                send(stamp -> Protocol.writeHeartbeat(frames, stamp));
            }
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Serves the lease until it ends: reads the follower's ACKs from {@code input} and sends a
     * heartbeat whenever nothing was sent for {@link CacheCoherence#HEARTBEAT_NANOS}. The caller
     * then {@linkplain #awaitSafeThenRelease() releases} it.
     *
     * @throws MalformedFrameException if the follower sends anything but ACK (the lease is ended first)
     */
    void serve(FrameReader input, Request request) throws IOException {
        try {
            socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(CacheCoherence.HEARTBEAT_NANOS)));
            heartbeat(true); // the follower starts its lease with it
            while (!ended) {
                FrameBody frame;
                try {
                    frame = input.next();
                } catch (SocketTimeoutException quiet) {
                    heartbeat(false);
                    continue;
                }
                if (frame == null) {
                    end(true);
                    break;
                }
                Protocol.readRequest(frame, request);
                if (request.type != MessageType.ACK) {
                    throw new MalformedFrameException(request.type + " on a lease connection");
                }
                acknowledge(request.id);
                heartbeat(false);
            }
        } catch (IOException | RuntimeException | Error e) {
            end(false);
            throw e;
        }
    }

    private void acknowledge(long seq) throws MalformedFrameException {
        long sent = sentSeq;
        if (seq > sent || seq < 0) {
            throw new MalformedFrameException("ACK of invalidation " + seq + ", but only " + sent + " were sent");
        }
        if (seq > ackedSeq) {
            ackedSeq = seq;
            coherence.leaseSettled();
        }
    }

    /**
     * Waits until this lease, once ended, can serve nothing any more, or the leader is closing, and
     * releases its slot. Idempotent.
     *
     * @return whether the lease can serve nothing any more; false if the wait ended because the
     *     leader is closing, and the follower may still serve it for a while
     */
    boolean awaitSafeThenRelease() {
        long remaining;
        while ((remaining = nanosUntilSafe(System.nanoTime())) > 0 && !coherence.isClosed()) {
            // In slices: a leader that closes meanwhile must not wait out the lease to join this thread.
            LockSupport.parkNanos(this, Math.min(remaining, CLOSE_CHECK_NANOS));
        }
        coherence.release(this);
        return nanosUntilSafe(System.nanoTime()) <= 0;
    }

    /** Closes the connection; the follower sees it end. */
    void close() {
        end(false);
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("Ignoring failure to close the lease connection of follower pid {}: {}", peerPid, e.toString());
        }
    }

    @Override
    public String toString() {
        return "LeaderSideLease[slot " + slot + ", follower pid " + peerPid + (ended ? ", ended]" : "]");
    }
}
