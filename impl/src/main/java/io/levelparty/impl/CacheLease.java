package io.levelparty.impl;

import io.levelparty.impl.Protocol.ErrorKind;
import io.levelparty.impl.Protocol.MessageType;
import io.levelparty.impl.Protocol.Reply;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import net.openhft.chronicle.bytes.Bytes;
import org.newsclub.net.unix.AFUNIXSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's cache lease under {@code STRICT} consistency: its own connection to the leader, on
 * which the leader sends the keys it is about to write (INVALIDATE) and heartbeats, each stamped
 * with the leader's {@code System.nanoTime()}. A thread of its own drops the keys from the cache
 * and acknowledges them, so the leader's writes never wait for this process's calls.
 *
 * <p>The cache may serve a value only while {@link #isFresh()}: until the stamp of the last frame
 * processed plus the lease length. A process that stalls (SIGSTOP, a long GC pause) therefore stops
 * serving cached values before the leader, having waited for the same instant, applies a write
 * that it could not invalidate here. The stamps are comparable because every process on a Linux
 * machine reads the same {@code CLOCK_MONOTONIC} through {@code System.nanoTime()}; {@link #open}
 * checks it, and caches nothing otherwise.
 */
final class CacheLease implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CacheLease.class);

    private final Path socketPath;
    private final AFUNIXSocket socket;
    private final FrameReader input;
    private final OutputStream out;
    private final FollowerCache cache;
    private final long token;
    private final long leaseNanos;
    private final Reply reply = new Reply();
    private final FrameBuffer acks = new FrameBuffer();
    private final Thread thread;
    /** When the lease expires, as System.nanoTime(). */
    private volatile long expiresAt;
    /** Set before the connection closes: from then on the lease is never fresh. */
    private volatile boolean closed;
    private Consumer<Throwable> onEnd;

    private CacheLease(Path socketPath, RemoteStore.Link link, FollowerCache cache, long token, long leaseNanos,
            long firstStamp) throws IOException {
        this.socketPath = socketPath;
        this.socket = link.socket();
        this.input = link.input();
        this.out = socket.getOutputStream();
        this.cache = cache;
        this.token = token;
        this.leaseNanos = leaseNanos;
        this.expiresAt = firstStamp + leaseNanos;
        this.thread = new Thread(this::run, "levelparty-follower-lease");
        thread.setDaemon(true);
    }

    /**
     * Opens a lease connection to the leader at {@code socketPath} for {@code cache}.
     *
     * @return the lease, not yet started; or null if the leader grants no more leases, or its clock
     *     is not this process's (the follower then reads uncached)
     * @throws IOException if the leader cannot be reached or answers wrongly
     */
    static CacheLease open(Path socketPath, Duration requestTimeout, UUID clientId, FollowerCache cache)
            throws IOException {
        RemoteStore.Link link = RemoteStore.handshake(socketPath, requestTimeout, clientId);
        try {
            FrameBuffer request = new FrameBuffer();
            Protocol.writeLease(request.wire(), 1);
            long askedAt = System.nanoTime();
            request.writeTo(link.socket().getOutputStream());
            Reply grant = new Reply();
            if (!Protocol.readReply(nextFrame(link, socketPath), grant)) {
                throw new MalformedFrameException("a push before the reply to LEASE");
            }
            if (grant.type == MessageType.ERROR && grant.errorKind == ErrorKind.UNAVAILABLE) {
                log.info("Reading uncached from the leader at {}: {}", socketPath, grant.message);
                link.socket().close();
                return null;
            }
            if (grant.type != MessageType.GRANT) {
                throw new MalformedFrameException("the leader answered LEASE with " + grant.type);
            }
            Reply heartbeat = new Reply();
            if (Protocol.readReply(nextFrame(link, socketPath), heartbeat) || heartbeat.type != MessageType.HEARTBEAT) {
                throw new MalformedFrameException("the leader's first frame on a lease is not HEARTBEAT");
            }
            long now = System.nanoTime();
            if (heartbeat.stamp - askedAt < 0 || heartbeat.stamp - now > 0) {
                log.warn("Reading uncached from the leader at {}: its System.nanoTime() is not this process's "
                        + "(stamp {} outside [{}, {}]), so its leases cannot be timed here", socketPath, heartbeat.stamp,
                        askedAt, now);
                link.socket().close();
                return null;
            }
            return new CacheLease(socketPath, link, cache, grant.token, grant.leaseNanos, heartbeat.stamp);
        } catch (MalformedFrameException e) {
            link.socket().close();
            throw new IOException("The leader at " + socketPath + " broke the lease protocol: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            link.socket().close();
            throw e;
        }
    }

    private static Bytes<?> nextFrame(RemoteStore.Link link, Path socketPath) throws IOException {
        Bytes<?> frame = link.input().next();
        if (frame == null) {
            throw new EOFException("The leader at " + socketPath + " closed the lease connection");
        }
        return frame;
    }

    /** The token that binds the follower's main connection to this lease. */
    long token() {
        return token;
    }

    /** Starts processing the leader's frames; {@code onEnd} runs once if the lease ends other than by {@link #close()}. */
    void start(Consumer<Throwable> onEnd) {
        this.onEnd = onEnd;
        thread.start();
    }

    /** Whether the cache may serve values now. */
    boolean isFresh() {
        return !closed && System.nanoTime() - expiresAt < 0;
    }

    private void run() {
        long processed = 0;
        long acknowledged = 0;
        try {
            while (!closed) {
                Bytes<?> frame;
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
                        cache.drop(key);
                    }
                    processed = reply.count;
                } else if (reply.type != MessageType.HEARTBEAT) {
                    throw new MalformedFrameException(reply.type + " on a lease connection");
                }
                expiresAt = reply.stamp + leaseNanos; // after the drops: the stamp vouches for them
                if (processed > acknowledged && !input.hasBufferedFrame()) {
                    Protocol.writeAck(acks.wire(), processed); // one ACK for all INVALIDATEs read so far
                    acks.writeTo(out);
                    acknowledged = processed;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            if (!closed) {
                end();
                onEnd.accept(e);
            }
        }
    }

    /** Stops the cache from serving, then closes the connection: the leader stops waiting for this lease. */
    private void end() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("Ignoring failure to close the lease connection to {}: {}", socketPath, e.toString());
        }
    }

    /** Ends the lease: the cache serves nothing more through it. Idempotent. */
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
