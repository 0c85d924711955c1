package io.levelparty.impl;

import io.levelparty.PartyProtocolException;
import io.levelparty.impl.Protocol.HelloReply;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketCredentials;

/**
 * The follower's side of the handshake (the leader's is in {@link LeaderSideConnection}): connects
 * to the leader's socket, checks who serves it, says HELLO and reads the HELLO_REPLY. Every
 * connection a follower opens to its leader, the main one ({@link FollowerSideConnection}) and the
 * lease's ({@link FollowerSideLease}), begins here.
 */
final class FollowerSideHandshake {
    private FollowerSideHandshake() {
    }

    /** A connection to the leader after its handshake accepted this process. */
    record Link(AFUNIXSocket socket, FrameReader input, long leaderPid) {}

    /**
     * Connects to the leader at {@code socketPath} and runs the handshake, passing the socket to
     * {@code connected} as soon as it is connected, so that it can be closed to end the handshake.
     * Nothing is sent before the peer's credentials show a process of this user, or of one in
     * {@code trustedUids}: anyone else who got to bind the path first is an impostor, and is told
     * nothing (not even this process's client id). {@code syncWrites} goes in the HELLO.
     *
     * @param timeout how long the connect and the handshake each take at most
     * @throws IOException if nobody serves the path (no file, or connection refused), or the leader
     *     closes the connection or does not answer during the handshake: the caller may re-elect
     * @throws PartyProtocolException if the peer is not trusted, refuses this process, or speaks
     *     another protocol
     */
    static Link run(Path socketPath, Duration timeout, UUID clientId, boolean syncWrites, Set<Integer> trustedUids,
            Consumer<AFUNIXSocket> connected) throws IOException {
        Objects.requireNonNull(clientId, "clientId");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, was " + timeout);
        }
        AFUNIXSocketAddress address = LeaderServer.addressOf(socketPath);
        // Encoded before connecting: the first encoding in a process loads classes, which on a
        // busy machine should not count against the time the leader waits for a HELLO.
        FrameBuffer hello = new FrameBuffer();
        Protocol.writeHello(hello, clientId, ThisProcess.PID, syncWrites);
        AFUNIXSocket socket = AFUNIXSocket.newInstance();
        try {
            // SO_SNDTIMEO (which SO_TIMEOUT sets too) also bounds a connect to a listener whose
            // backlog is full, as a stopped leader's soon is: without it, connect waits for ever.
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            socket.connect(address);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket, e);
            throw new SocketTimeoutException("The leader at " + socketPath + " accepted no connection within "
                    + timeout + " (its backlog is full: it is stopped, or too busy)");
        } catch (SocketException e) {
            closeQuietly(socket, e);
            ConnectException noLeader = new ConnectException("No leader serves " + socketPath + ": " + e.getMessage());
            noLeader.initCause(e);
            throw noLeader;
        }
        connected.accept(socket);
        try {
            checkTrusted(socket, socketPath, trustedUids);
            hello.writeTo(socket.getOutputStream());
            FrameReader input = new FrameReader(socket.getInputStream());
            HelloReply reply = readHelloReply(input, socketPath, timeout);
            if (!reply.accepted()) {
                throw new PartyProtocolException("The leader at " + socketPath + " (pid " + reply.pid()
                        + ") refused this process: " + reply.message());
            }
            if (reply.version() != Protocol.VERSION) {
                throw new PartyProtocolException("The leader at " + socketPath + " accepted this process but speaks "
                        + "protocol version " + reply.version() + ", not " + Protocol.VERSION);
            }
            return new Link(socket, input, reply.pid());
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket, e);
            throw e;
        }
    }

    /** Refuses a peer that is neither of this process's user nor of one in {@code trustedUids}. */
    private static void checkTrusted(AFUNIXSocket socket, Path socketPath, Set<Integer> trustedUids)
            throws IOException {
        AFUNIXSocketCredentials peer = socket.getPeerCredentials();
        long uid = peer.getUid();
        if (uid != ThisProcess.UID && !(uid == (int) uid && trustedUids.contains((int) uid))) {
            throw new PartyProtocolException("The process serving " + socketPath + " (pid " + peer.getPid()
                    + ", uid " + uid + ") is not a leader this process trusts: its user id is neither this process's ("
                    + ThisProcess.UID + ") nor one that PartyOptions.allowUid names; nothing was sent to it");
        }
    }

    private static HelloReply readHelloReply(FrameReader input, Path socketPath, Duration timeout) throws IOException {
        try {
            FrameBody frame = input.next();
            if (frame == null) {
                throw new EOFException("The leader at " + socketPath + " closed the connection during the handshake");
            }
            return Protocol.readHelloReply(frame);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException(
                    "No handshake reply from the leader at " + socketPath + " within " + timeout);
        } catch (MalformedFrameException e) {
            throw new PartyProtocolException("The peer at " + socketPath
                    + " does not speak LevelParty's protocol version " + Protocol.VERSION + ": " + e.getMessage());
        }
    }

    /** Closes {@code socket} after {@code failure}, to which a failure to close is added. */
    static void closeQuietly(AFUNIXSocket socket, Exception failure) {
        try {
            socket.close();
        } catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }
}
