package io.levelparty.impl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No peer holds a thread of the leader for long: a frame left half sent, a follower that stops
 * reading, a HELLO sent a byte at a time, and connections of another user are all cut off, while
 * followers that are merely quiet are served on.
 */
class PeerLimitsTest {
    private static final Duration QUICK = Duration.ofMillis(300);

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    private LocalStore store;

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private LeaderServer start(PeerLimits limits, Set<Integer> allowedUids) throws IOException {
        store = LocalStore.tryOpen(dir.resolve("db"));
        return LeaderServer.start(store, dir.resolve("party.sock"), allowedUids, OptionalInt.empty(), limits);
    }

    private static byte[] putFrame(String key, byte[] value) {
        return RawFrames.frame(out -> {
            out.fixedInt8(Protocol.MessageType.PUT.code);
            out.fixedInt64(1);
            out.fixedInt64(1);
            out.fixedInt64(0);
            out.bytes(key.getBytes(UTF_8));
            out.bytes(value);
        });
    }

    @Test
    void aFrameLeftIncompleteIsCutOffWhileAQuietFollowerIsServedOn() throws IOException {
        try (LeaderServer server = start(new PeerLimits(Duration.ofSeconds(10), QUICK, 1024, 64), Set.of());
                RawPeer stalled = new RawPeer(dir.resolve("party.sock"));
                RawPeer quiet = new RawPeer(dir.resolve("party.sock"))) {
            stalled.handshake();
            quiet.handshake();
            long quietSince = System.nanoTime();
            byte[] put = putFrame("stalled", new byte[100]);
            long sent = System.nanoTime();
            stalled.send(Arrays.copyOf(put, put.length - 10));
            stalled.assertClosedByLeader();
            assertTrue(System.nanoTime() - sent >= QUICK.toNanos(), "cut off no earlier than the timeout");
            Poll.until(() -> server.followerCount() == 1, "the stalled peer's connection to end");

            assertTrue(System.nanoTime() - quietSince > QUICK.toNanos());
            quiet.send(putFrame("quiet", "v".getBytes(UTF_8)));
            assertEquals(Protocol.MessageType.VALUE, quiet.readReply().type, "the quiet follower is served");
            assertArrayEquals("v".getBytes(UTF_8), store.get("quiet".getBytes(UTF_8)));
            assertEquals(null, store.get("stalled".getBytes(UTF_8)));
        }
    }

    @Test
    void aFollowerThatStopsReadingIsCutOff() throws IOException {
        try (LeaderServer server = start(new PeerLimits(Duration.ofSeconds(10), QUICK, 1024, 64), Set.of());
                RawPeer deaf = new RawPeer(dir.resolve("party.sock"))) {
            deaf.handshake();
            byte[] big = new byte[1 << 20];
            store.put("big".getBytes(UTF_8), big);
            // Far more replies than the socket buffers: the leader's send blocks until the peer reads.
            for (int i = 0; i < 64; i++) {
                deaf.send(wire -> Protocol.writeRead(wire, Protocol.MessageType.GET, 1, "big".getBytes(UTF_8)));
            }
            Poll.until(() -> server.followerCount() == 0, "the leader to cut off the follower that does not read");
        }
    }

    @Test
    void aHelloSentAByteAtATimeIsCutOffAtTheHandshakeDeadline() throws Exception {
        try (LeaderServer server = start(new PeerLimits(QUICK, Duration.ofSeconds(10), 1024, 64), Set.of());
                RawPeer trickle = new RawPeer(dir.resolve("party.sock"))) {
            byte[] hello = RawFrames.hello(Protocol.VERSION);
            long started = System.nanoTime();
            // Each byte comes well within the deadline of the one before; only the whole HELLO is late.
            for (int i = 0; i < hello.length - 1 && !trickle.isClosedByLeader(); i++) {
                trickle.send(new byte[] {hello[i]});
                TimeUnit.MILLISECONDS.sleep(QUICK.toMillis() / 6);
            }
            trickle.assertClosedByLeader();
            long took = System.nanoTime() - started;
            assertTrue(took < 3 * QUICK.toNanos(), "cut off after " + TimeUnit.NANOSECONDS.toMillis(took) + " ms");
        }
    }

    /**
     * Connections of a user who may not connect get only their share of the leader's threads;
     * those beyond it are closed at once, and this user's followers still get in. Needs root, to
     * connect as {@code nobody}; the CI build runs as root.
     */
    @Test
    void connectionsOfAnotherUserBeyondTheirShareAreClosedAtOnce() throws Exception {
        assumeTrue(ThisProcess.UID == 0, "connects as nobody, which takes root");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // Another allowed uid makes the socket file writable by all, so that nobody can connect at all.
        try (LeaderServer server = start(new PeerLimits(Duration.ofSeconds(30), Duration.ofSeconds(30), 1024, 3),
                Set.of(12345))) {
            String stranger = "import socket,sys,select,time\n"
                    + "s=[]\n"
                    + "for i in range(8):\n"
                    + "  c=socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); s.append(c)\n"
                    + "end=time.time()+20\n"
                    + "while time.time()<end:\n"
                    + "  r,_,_=select.select(s,[],[],0.05)\n"
                    + "  closed=sum(1 for c in s if c in r and c.recv(1)==b'')\n"
                    + "  if closed>=5: break\n"
                    + "print('closed', closed, flush=True)\n"
                    + "sys.stdin.read()\n";
            Process nobody = new ProcessBuilder("runuser", "-u", "nobody", "--", "/usr/bin/python3", "-c", stranger,
                    dir.resolve("party.sock").toString()).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(nobody.getInputStream(), UTF_8))) {
                assertEquals("closed 5", out.readLine(), "8 connections, 3 of them within the share");
                try (RawPeer follower = new RawPeer(dir.resolve("party.sock"))) {
                    follower.handshake(); // the three strangers still wait for their handshake deadline
                    assertEquals(1, server.followerCount());
                }
            } finally {
                nobody.destroyForcibly();
            }
        }
    }

    /** A rehearsal directory left by a process that was killed is deleted by the next rehearsal; a live one's is not. */
    @Test
    void aRehearsalDeletesTheRehearsalsOfDeadProcesses() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path abandoned = Files.createTempDirectory(tmp, "levelparty-rehearsal-" + ended.pid() + "-");
        Files.writeString(abandoned.resolve("LOG"), "left behind");
        Path live = Files.createTempDirectory(tmp, "levelparty-rehearsal-" + ProcessHandle.current().pid() + "-");
        try {
            LeaderServer.rehearse();
            assertTrue(Files.notExists(abandoned), abandoned + " deleted");
            assertTrue(Files.isDirectory(live), live + " kept: its process lives");
            try (var left = Files.list(tmp)) {
                assertEquals(1, left.filter(p -> p.getFileName().toString()
                        .startsWith("levelparty-rehearsal-" + ProcessHandle.current().pid() + "-")).count(),
                        "the rehearsal deleted its own directory");
            }
        } finally {
            Files.deleteIfExists(live);
        }
    }
}
