package io.levelparty.impl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.PartyProtocolException;
import io.levelparty.impl.Protocol.HelloReply;
import io.levelparty.impl.Protocol.MessageType;
import io.levelparty.spi.KeyRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The leader's socket: who it lets in, what it does with bad frames, and its socket file. */
class LeaderServerTest {
    private static final byte[] EVIL_KEY = "evil".getBytes(UTF_8);

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    private TestLeader leader;
    private RemoteStore follower;

    @BeforeEach
    void start() throws IOException {
        leader = new TestLeader(dir);
        follower = leader.connect();
    }

    @AfterEach
    void stop() {
        follower.close();
        leader.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    /** What a bad peer does, given a raw connection to the leader. */
    @FunctionalInterface
    interface Misbehaviour {
        void perform(RawPeer peer) throws IOException;
    }

    static Stream<Named<Misbehaviour>> misbehaviours() {
        byte[] put = RawFrames.frame(out -> {
            out.fixedInt8(MessageType.PUT.code);
            out.fixedInt64(1);
            out.fixedInt64(1);
            out.fixedInt64(0);
            out.bytes(EVIL_KEY);
            out.bytes(EVIL_KEY);
        });
        return Stream.of(
                Named.of("garbage instead of a handshake", peer -> peer.send(b("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))),
                Named.of("a request instead of a handshake", peer -> peer.send(put)),
                Named.of("garbage after the handshake", peer -> {
                    peer.handshake();
                    peer.send(new byte[] {1, 0, 0, 0, 0x42});
                }),
                Named.of("a truncated frame, then close", peer -> {
                    peer.handshake();
                    peer.send(Arrays.copyOf(put, put.length - 3));
                    peer.close();
                }),
                Named.of("an oversized length prefix", peer -> {
                    peer.handshake();
                    peer.send(RawFrames.header(Protocol.MAX_FRAME_BYTES + 1));
                    peer.send(new byte[64 << 10]);
                }),
                Named.of("Chronicle flags in the header", peer -> {
                    peer.handshake();
                    peer.send(RawFrames.header(0x40000000 | (put.length - Protocol.HEADER_BYTES)));
                    peer.send(Arrays.copyOfRange(put, Protocol.HEADER_BYTES, put.length));
                }),
                Named.of("an unknown message type", peer -> {
                    peer.handshake();
                    peer.send(RawFrames.frame(out -> {
                        out.fixedInt8((byte) 99);
                        out.fixedInt64(1);
                        out.bytes(EVIL_KEY);
                    }));
                }),
                Named.of("a PUT with a byte too many", peer -> {
                    peer.handshake();
                    peer.send(RawFrames.frame(out -> {
                        out.fixedInt8(MessageType.PUT.code);
                        out.fixedInt64(1);
                        out.fixedInt64(1);
                        out.fixedInt64(0);
                        out.bytes(EVIL_KEY);
                        out.bytes(EVIL_KEY);
                        out.bool(true);
                    }));
                }));
    }

    @ParameterizedTest
    @MethodSource("misbehaviours")
    void aBadPeerIsCutOffAloneAndNothingItSentIsApplied(Misbehaviour misbehaviour) throws IOException {
        follower.put(b("before"), b("1"));
        try (RawPeer peer = new RawPeer(leader.socket)) {
            misbehaviour.perform(peer);
            peer.assertClosedByLeader();
        }
        follower.put(b("after"), b("2"));
        assertArrayEquals(b("1"), follower.get(b("before")));
        assertNull(leader.store.get(EVIL_KEY));
        assertEquals(2, leader.store.count(KeyRange.ALL));
        Poll.until(() -> leader.server.followerCount() == 1, "the bad peer's connection to end");
    }

    @Test
    void repliesToRequestsBeforeABadFrameAreStillSent() throws IOException {
        byte[] good = RawFrames.frame(out -> {
            out.fixedInt8(MessageType.PUT.code);
            out.fixedInt64(7);
            out.fixedInt64(Protocol.UNSEQUENCED);
            out.fixedInt64(Protocol.UNSEQUENCED);
            out.bytes(b("good"));
            out.bytes(b("1"));
        });
        byte[] bad = RawFrames.header(Protocol.MAX_FRAME_BYTES + 1);
        byte[] both = Arrays.copyOf(good, good.length + bad.length);
        System.arraycopy(bad, 0, both, good.length, bad.length);
        try (RawPeer peer = new RawPeer(leader.socket)) {
            peer.handshake();
            peer.send(both);
            Protocol.Reply reply = peer.readReply();
            assertEquals(MessageType.VALUE, reply.type);
            assertEquals(7, reply.id);
            peer.assertClosedByLeader();
        }
        assertArrayEquals(b("1"), leader.store.get(b("good")));
    }

    @Test
    void anotherProtocolVersionIsRefusedNamingBothVersions() throws IOException {
        try (RawPeer peer = new RawPeer(leader.socket)) {
            peer.send(RawFrames.hello(99));
            HelloReply reply = peer.readHelloReply();
            assertFalse(reply.accepted());
            assertEquals(Protocol.VERSION, reply.version());
            assertTrue(reply.message().contains("version 99"), reply.message());
            assertTrue(reply.message().contains("version " + Protocol.VERSION), reply.message());
            peer.assertClosedByLeader();
        }
        assertEquals(1, leader.server.followerCount());
        assertNull(follower.get(b("k")));
    }

    @Test
    void usersOtherThanTheAllowedOnesAreRefused() throws IOException {
        int realUid = (Integer) Files.getAttribute(dir, "unix:uid", NOFOLLOW_LINKS);
        int otherUid = realUid == 12345 ? 54321 : 12345;
        LocalStore store = LocalStore.tryOpen(dir.resolve("db2"));
        Path socket = dir.resolve("uid.sock");
        // This server takes otherUid for its own user and allows no one else: the real peer is a stranger.
        try (LeaderServer strict = LeaderServer.start(store, socket, Set.of(), OptionalInt.of(otherUid), PeerLimits.DEFAULT)) {
            PartyProtocolException refused = assertThrows(PartyProtocolException.class,
                    () -> RemoteStore.connect(socket, TestLeader.REQUEST_TIMEOUT, UUID.randomUUID()));
            assertTrue(refused.getMessage().contains("user id " + realUid), refused.getMessage());
            assertTrue(refused.getMessage().contains(String.valueOf(otherUid)), refused.getMessage());
            assertTrue(refused.getMessage().contains(socket.toString()), refused.getMessage());
            assertEquals(0, strict.followerCount());
        } finally {
            store.close();
        }
        store = LocalStore.tryOpen(dir.resolve("db2"));
        try (LeaderServer allowing = LeaderServer.start(store, socket, Set.of(realUid), OptionalInt.of(otherUid), PeerLimits.DEFAULT);
                RemoteStore admitted = RemoteStore.connect(socket, TestLeader.REQUEST_TIMEOUT, UUID.randomUUID())) {
            admitted.put(b("k"), b("v"));
            assertEquals(1, allowing.followerCount());
            // An allowed user of another id may not have the leader write a backup as the leader's user.
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> admitted.backup(dir.resolve("copy")));
            assertTrue(refused.getMessage().contains("uid " + realUid), refused.getMessage());
            assertFalse(Files.exists(dir.resolve("copy")));
        } finally {
            store.close();
        }
    }

    /** The leader writes a backup as its own user, who may ask for one (another allowed user may not: above). */
    @Test
    void theLeadersOwnUserMayAskForABackup() throws IOException {
        follower.backup(dir.resolve("copy")); // this test's leader is of this user
        assertTrue(Files.isDirectory(dir.resolve("copy")));
    }

    @Test
    void theSocketFileIsForItsOwnerOnly() throws IOException {
        assertEquals("rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(leader.socket, NOFOLLOW_LINKS)));
    }

    @Test
    void aStaleFileAtTheSocketPathIsReplaced() throws IOException {
        LocalStore store = LocalStore.tryOpen(dir.resolve("db2"));
        try {
            Path plainFile = dir.resolve("plain.sock");
            Files.writeString(plainFile, "left over");
            Path deadSocket = dir.resolve("dead.sock");
            SilentLeader.leaveDeadSocketFile(deadSocket);
            for (Path stale : new Path[] {plainFile, deadSocket}) {
                try (LeaderServer server = LeaderServer.start(store, stale, Set.of());
                        RemoteStore client =
                                RemoteStore.connect(stale, TestLeader.REQUEST_TIMEOUT, UUID.randomUUID())) {
                    client.put(b("k"), b(stale.toString()));
                    assertEquals(1, server.followerCount());
                }
                assertFalse(Files.exists(stale, NOFOLLOW_LINKS), "deleted on close");
            }
        } finally {
            store.close();
        }
    }

    @Test
    void aSocketSomeoneServesIsNotTakenOver() throws IOException {
        LocalStore store = LocalStore.tryOpen(dir.resolve("db2"));
        Path socket = dir.resolve("live.sock");
        try (SilentLeader live = new SilentLeader(socket)) {
            IOException refused = assertThrows(IOException.class, () -> LeaderServer.start(store, socket, Set.of()));
            assertTrue(refused.getMessage().contains("Another process serves"), refused.getMessage());
            RemoteStore.connect(live.socket, TestLeader.REQUEST_TIMEOUT, UUID.randomUUID()).close(); // still served
        } finally {
            store.close();
        }
    }

    @Test
    void closeDeletesTheSocketFileStopsServingAndIsIdempotent() {
        leader.server.close();
        leader.server.close();
        assertFalse(Files.exists(leader.socket, NOFOLLOW_LINKS));
        assertThrows(ConnectionLostException.class, () -> follower.get(b("k")));
        assertThrows(IOException.class, () -> leader.connect());
        assertEquals(0, leader.server.followerCount());
    }

    @Test
    void closeLeavesASuccessorsSocketFileAlone() throws IOException {
        Files.delete(leader.socket); // as if a successor had taken the path over
        try (SilentLeader successor = new SilentLeader(leader.socket)) {
            leader.server.close();
            assertTrue(Files.exists(leader.socket, NOFOLLOW_LINKS));
            RemoteStore.connect(successor.socket, TestLeader.REQUEST_TIMEOUT, UUID.randomUUID()).close();
        }
    }

    @Test
    void socketPathsTooLongForAUnixSocketAreRefusedClearly() {
        Path tooLong = dir.resolve("x".repeat(120) + ".sock");
        IOException bind = assertThrows(IOException.class, () -> LeaderServer.start(leader.store, tooLong, Set.of()));
        assertTrue(bind.getMessage().contains(tooLong.toString()), bind.getMessage());
        assertTrue(bind.getMessage().contains("107"), bind.getMessage());
        IOException connect = assertThrows(IOException.class,
                () -> RemoteStore.connect(tooLong, TestLeader.REQUEST_TIMEOUT, UUID.randomUUID()));
        assertTrue(connect.getMessage().contains(tooLong.toString()), connect.getMessage());
        assertFalse(Files.exists(tooLong, NOFOLLOW_LINKS));
    }

    @Test
    void onlyHandshakenConnectionsCountAsFollowers() throws IOException {
        try (RawPeer silent = new RawPeer(leader.socket)) {
            assertEquals(1, leader.server.followerCount());
            silent.handshake();
            Poll.until(() -> leader.server.followerCount() == 2, "the handshaken peer to count");
        }
        Poll.until(() -> leader.server.followerCount() == 1, "the peer's connection to end");
    }
}
