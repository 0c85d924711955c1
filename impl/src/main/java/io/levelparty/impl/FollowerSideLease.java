package io.levelparty.impl;

import io.levelparty.impl.FollowerSideHandshake.Link;
import io.levelparty.impl.Protocol.ErrorKind;
import io.levelparty.impl.Protocol.MessageType;
import io.levelparty.impl.Protocol.Reply;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.newsclub.net.unix.AFUNIXSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's end of its cache lease under {@code STRICT} consistency (the leader's end is
 * {@link LeaderSideLease}): its own connection to the leader, on
 * which the leader sends the keys it is about to write (INVALIDATE) and heartbeats, each stamped
 * with the leader's {@code System.nanoTime()}. A thread of its own opens the connection, has the
 * follower's main connection bound to it, then drops the keys from the cache and acknowledges
 * them, so the leader's writes never wait for this process's calls.
 *
 * <p>The cache may serve a value only while {@link #isFresh()}: once the lease is granted, until
 * the stamp of the last frame processed plus the lease length. A process that stalls (SIGSTOP, a
 * long GC pause) therefore stops serving cached values before the leader, having waited for the
 * same instant, applies a write that it could not invalidate here. The stamps are comparable
 * because every process on a Linux machine reads the same {@code CLOCK_MONOTONIC} through
 * {@code System.nanoTime()}; the lease checks it, and is never granted otherwise.
 *
 * <p>The lease is opened in the background, at the follower's first read that the cache could
 * serve in a term (see {@code RemoteStore}): a follower that has just found a new leader serves
 * its calls at once, uncached until the lease is granted and bound (the leader answers no read of
 * an unbound connection as cacheable), and one that does not read holds no lease.
 */
final class FollowerSideLease implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FollowerSideLease.class);

    private final Path socketPath;
    private final Duration requestTimeout;
    private final UUID clientId;
    private final Set<Integer> trustedUids;
    private final FollowerCache cache;
    private final Reply reply = new Reply();
    private final FrameBuffer acks = new FrameBuffer();
    private final Thread thread;
    /** The lease connection, once connected; closed by whichever of {@link #end} and the opening comes last. */
    private volatile AFUNIXSocket socket;
    /** When the lease expires, as System.nanoTime(); meaningful once granted. */
    private volatile long expiresAt;
    private volatile boolean granted;
    /** The lease length the leader granted; used by the lease's thread only. */
    private long leaseNanos;
    /** Set before the connection closes: from then on the lease is never fresh. */
    private volatile boolean closed;
    private Binder binder;
    private Consumer<Throwable> onEnd;

    /** Binds the follower's main connection to a granted lease, by its token. */
    @FunctionalInterface
    interface Binder {
        void bind(long token) throws IOException;
    }

    /**
     * A lease for {@code cache} from the leader at {@code socketPath}, which must be of this
     * process's user or of one in {@code trustedUids}; not yet open: {@link #start} opens it.
     */
    FollowerSideLease(Path socketPath, Duration requestTimeout, UUID clientId, Set<Integer> trustedUids, FollowerCache cache) {
        this.socketPath = socketPath;
        this.trustedUids = trustedUids;
        this.requestTimeout = requestTimeout;
        this.clientId = clientId;
        this.cache = cache;
        this.thread = new Thread(this::run, "levelparty-follower-lease");
        thread.setDaemon(true);
    }

    /**
     * Opens the lease on its own thread: connects, asks for the lease, has {@code binder} bind the
     * main connection to it, then processes the leader's frames. {@code onEnd} runs once if the
     * lease ends other than by {@link #close()} or by the leader refusing it (the follower then
     * reads uncached).
     */
    void start(Binder binder, Consumer<Throwable> onEnd) {
        this.binder = binder;
        this.onEnd = onEnd;
        thread.start();
    }

    /** Whether the cache may serve values now. */
    boolean isFresh() {
        return granted && !closed && System.nanoTime() - expiresAt < 0;
    }

    private void run() {
        try {
            Link link = FollowerSideHandshake.run(socketPath, requestTimeout, clientId, false, trustedUids, connected -> {
                socket = connected;
                if (closed) { // end() may have missed the socket: see its field
                    closeSocket();
                }
            });
            Long token = requestLease(link);
            if (token == null) {
                closeSocket();
                return;
            }
            binder.bind(token);
            processFrames(link.input(), socket.getOutputStream());
        } catch (IOException | RuntimeException | Error e) {
            if (!closed) {
                end();
                onEnd.accept(e);
            }
        }
    }

    /**
     * Asks for the lease and checks the leader's clock by its first heartbeat; returns the token,
     * or null if the leader grants no more leases or its clock is not this process's.
     */
    private Long requestLease(Link link) throws IOException {
        try {
            FrameBuffer request = new FrameBuffer();
            Protocol.writeLease(request, 1);
            long askedAt = System.nanoTime();
            request.writeTo(link.socket().getOutputStream());
            Reply grant = new Reply();
            if (!Protocol.readReply(nextFrame(link), grant)) {
                throw new MalformedFrameException("a push before the reply to LEASE");
            }
            if (grant.type == MessageType.ERROR && grant.errorKind == ErrorKind.UNAVAILABLE) {
                log.info("Reading uncached from the leader at {}: {}", socketPath, grant.message);
                return null;
            }
            if (grant.type != MessageType.GRANT) {
                throw new MalformedFrameException("the leader answered LEASE with " + grant.type);
            }
            Reply heartbeat = new Reply();
            if (Protocol.readReply(nextFrame(link), heartbeat) || heartbeat.type != MessageType.HEARTBEAT) {
                throw new MalformedFrameException("the leader's first frame on a lease is not HEARTBEAT");
            }
            long now = System.nanoTime();
            if (heartbeat.stamp - askedAt < 0 || heartbeat.stamp - now > 0) {
                log.warn("Reading uncached from the leader at {}: its System.nanoTime() is not this process's "
                        + "(stamp {} outside [{}, {}]), so its leases cannot be timed here", socketPath, heartbeat.stamp,
                        askedAt, now);
                return null;
            }
            leaseNanos = grant.leaseNanos;
            expiresAt = heartbeat.stamp + leaseNanos;
            granted = true;
            return grant.token;
        } catch (MalformedFrameException e) {
            throw new IOException("The leader at " + socketPath + " broke the lease protocol: " + e.getMessage(), e);
        }
    }

    private FrameBody nextFrame(Link link) throws IOException {
        FrameBody frame = link.input().next();
        if (frame == null) {
            throw new EOFException("The leader at " + socketPath + " closed the lease connection");
        }
        return frame;
    }

    private void processFrames(FrameReader input, OutputStream out) throws IOException {
        long processed = 0;
        long acknowledged = 0;
        while (!closed) {
            FrameBody frame;
            try {
                frame = input.next();
            } catch (SocketTimeoutException quiet) {
                continue; // the timeout bounds ACK writes; a quiet lease just expires
            }
            if (frame == null) {
                throw new EOFException("the leader closed the lease connection");
            }
            if (Protocol.readReply(frame, reply)) {
                throw new MalformedFrameException(reply.type + " on a lease connection");
            }
            if (reply.type == MessageType.INVALIDATE) {
                for (byte[] key : reply.keys) {
                    cache.dropStripeOf(key); // the whole stripe: the leader stops asking once acknowledged
                }
                processed = reply.count;
            } else if (reply.type != MessageType.HEARTBEAT) {
                throw new MalformedFrameException(reply.type + " on a lease connection");
            }
            expiresAt = reply.stamp + leaseNanos; // after the drops: the stamp vouches for them
            if (processed > acknowledged && !input.hasBufferedFrame()) {
                Protocol.writeAck(acks, processed); // one ACK for all INVALIDATEs read so far
                acks.writeTo(out);
                acknowledged = processed;
            }
        }
    }

    /**
     * Stops the cache from serving, then closes the connection (the leader stops waiting for this
     * lease), without waiting for the lease's thread: see {@link #close()}.
     */
    void end() {
        closed = true;
        closeSocket();
    }

    private void closeSocket() {
        AFUNIXSocket s = socket;
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException e) {
            log.debug("Ignoring failure to close the lease connection to {}: {}", socketPath, e.toString());
        }
    }

    /**
     * Ends the lease and waits for its thread. The thread may be waiting for the main
     * connection's BIND: the caller must have closed that connection first, or call
     * {@link #end()} instead. Idempotent.
     */
    @Override
    public void close() {
        end();
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
