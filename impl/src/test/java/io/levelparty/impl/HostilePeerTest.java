package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyOptions;
import io.levelparty.PartyProtocolException;
import io.levelparty.PartyUnavailableException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;

/**
 * What a follower does when the process on the socket is not a leader it can use: one of another
 * user that got to bind the path first, or one that has stopped accepting connections.
 */
class HostilePeerTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    /**
     * An impostor of another user listens on the party's socket path (as it can on the shared
     * fallback path under /tmp): the follower refuses it, naming its user and pid, and sends it
     * nothing, not even a HELLO. Needs root, to run the impostor as user {@code nobody}; the CI
     * build runs as root.
     */
    @Test
    void aFollowerSendsNothingToALeaderOfAnotherUser() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "runs the impostor as nobody, which takes root");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socket = dir.resolve("party.sock");
        String impostor = "import socket,sys\n"
                + "s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)\n"
                + "print('listening', flush=True)\n"
                + "c,_=s.accept(); c.settimeout(5)\n"
                + "try:\n  data=c.recv(4096)\nexcept socket.timeout:\n  data=b''\n"
                + "print('received', len(data), flush=True)\n";
        Process fake = new ProcessBuilder("runuser", "-u", "nobody", "--", "/usr/bin/python3", "-c", impostor,
                socket.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(fake.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("listening", out.readLine());
            PartyProtocolException refused = assertThrows(PartyProtocolException.class,
                    () -> RemoteStore.connect(socket, Duration.ofSeconds(5), UUID.randomUUID()));
            assertTrue(refused.getMessage().contains("uid 65534") && refused.getMessage().contains("pid "),
                    refused.getMessage());
            assertEquals("received 0", out.readLine(), "the impostor got nothing from the follower");
        } finally {
            fake.destroyForcibly();
        }
    }

    /**
     * The lock is held and the socket's listener accepts nothing, as a stopped leader's does once
     * its backlog is full: {@code open} gives up at its open timeout instead of blocking in
     * connect for ever.
     */
    @Test
    void openGivesUpAtItsTimeoutWhenTheLeaderAcceptsNoConnection() throws Exception {
        Path data = Files.createDirectory(dir.resolve("db"));
        LocalStore holder = LocalStore.tryOpen(data); // holds the lock, as the stopped leader does
        List<AFUNIXSocket> queued = new ArrayList<>();
        try (AFUNIXServerSocket stopped = AFUNIXServerSocket.newInstance()) {
            stopped.bind(LeaderServer.addressOf(data.resolve(SocketPaths.SOCKET_FILE)), 1);
            for (int i = 0; i < 2; i++) { // fills the backlog: the next connect would block
                queued.add(AFUNIXSocket.connectTo(LeaderServer.addressOf(data.resolve(SocketPaths.SOCKET_FILE))));
            }
            PartyOptions<String> options = PartyOptions.of(Codecs.utf8()).openTimeout(Duration.ofSeconds(1))
                    .requestTimeout(Duration.ofSeconds(30));
            long start = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(PartyUnavailableException.class,
                    () -> LevelParty.open(data, options).close()));
            long took = System.nanoTime() - start;
            assertTrue(took < Duration.ofSeconds(10).toNanos(), "gave up after " + took + " ns");
        } finally {
            for (AFUNIXSocket s : queued) {
                s.close();
            }
            holder.close();
        }
    }
}
