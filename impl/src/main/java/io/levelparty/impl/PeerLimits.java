package io.levelparty.impl;

import java.time.Duration;
import java.util.Objects;

/**
 * What a leader lets the peers on its socket take, and for how long: no peer, trusted or not, holds
 * a thread or memory of the leader past these bounds.
 *
 * @param handshakeTimeout how long a new connection may stay quiet, and then take to send its whole
 *     HELLO once it began: so no connection waits for its handshake for more than twice as long
 * @param partialFrameTimeout how long a frame may stay incomplete once its first byte arrived, and
 *     how long a send to a follower that does not read may block; an idle follower, between frames,
 *     is never cut off
 * @param maxConnections the most connections served at once
 * @param maxForeignConnections the most connections at once of users who may not connect, which
 *     last until their HELLO is refused or their handshake times out
 */
record PeerLimits(
        Duration handshakeTimeout, Duration partialFrameTimeout, int maxConnections, int maxForeignConnections) {
    /**
     * The leader's limits: two connections per caching follower make 1,024 far above any real
     * party; 64 connections of strangers are enough for them to read why they are refused.
     */
    static final PeerLimits DEFAULT = new PeerLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), 1024, 64);

    PeerLimits {
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(partialFrameTimeout, "partialFrameTimeout");
        if (handshakeTimeout.toMillis() < 1 || partialFrameTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeouts must be at least 1 ms: " + handshakeTimeout + ", "
                    + partialFrameTimeout);
        }
        if (maxForeignConnections < 1 || maxConnections < maxForeignConnections) {
            throw new IllegalArgumentException("need 1 <= maxForeignConnections <= maxConnections: "
                    + maxForeignConnections + ", " + maxConnections);
        }
    }
}
