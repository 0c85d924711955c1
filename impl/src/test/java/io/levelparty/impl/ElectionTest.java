package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyStats;
import io.levelparty.PartyOptions;
import io.levelparty.PartyUnavailableException;
import io.levelparty.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who leads a directory, in one JVM: a second open of a directory finds the lock held and follows. */
class ElectionTest {
    @TempDir(factory = ShortTempDir.class)
    Path tmp;

    @Test
    void theSecondOpenFollowsAndTakesOverWhenTheLeaderCloses() throws Exception {
        Path dir = tmp.resolve("db");
        PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
        try (PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Role.LEADER, leader.role());
            assertEquals(Role.FOLLOWER, follower.role());
            BlockingQueue<Role> changes = new LinkedBlockingQueue<>();
            follower.onRoleChange(changes::add);
            follower.put("k", "v");
            assertEquals("v", leader.get("k"));

            leader.close();
            assertEquals("v", follower.get("k"), "the data stays, whoever leads");
            assertEquals(Role.LEADER, changes.poll(20, TimeUnit.SECONDS));
            assertEquals(Role.LEADER, follower.role());
            follower.put("k2", "v2");
            PartyStats stats = follower.stats();
            assertEquals(1, stats.failovers(), "the takeover is counted");
            assertTrue(stats.lastFailoverMicros() > 0, stats.toString());
        }
        try (PartyMap<String> again = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(List.of("k", "k2"), List.copyOf(again.keySet()));
        }
    }

    @Test
    void aDirectoryPathTooLongForASocketStillWorks() throws Exception {
        Path dir = tmp.resolve("a-directory-name-long-enough-".repeat(6)).resolve("db");
        assertTrue(dir.toString().length() > 150);
        PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
        try (PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Role.FOLLOWER, follower.role());
            follower.put("k", "v");
            assertEquals("v", leader.get("k"));
            assertFalse(Files.exists(dir.resolve(SocketPaths.SOCKET_FILE)), "the socket lives elsewhere");
            leader.close(); // and after a failover the derived path still works
            assertEquals("v", follower.get("k"));
            assertEquals(Role.LEADER, follower.role());
        } finally {
            leader.close();
        }
    }

    @Test
    void theShortSocketPathIsTheSameForEveryPathToTheDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("x".repeat(120)));
        Path socket = SocketPaths.forDirectory(dir.toRealPath());
        assertTrue(socket.toString().getBytes(StandardCharsets.UTF_8).length <= SocketPaths.MAX_SOCKET_PATH_BYTES);
        Path viaLink = Files.createSymbolicLink(tmp.resolve("link"), dir);
        assertEquals(socket, SocketPaths.forDirectory(viaLink.toRealPath()));
    }

    @Test
    void noLeaderWithinTheOpenTimeoutNamesTheDirectoryAndTheSocket() throws IOException {
        Path dir = tmp.resolve("db");
        LocalStore silent = openDirectly(dir); // holds the lock but serves nobody
        try {
            PartyUnavailableException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                    PartyUnavailableException.class,
                    () -> LevelParty.open(dir, PartyOptions.of(Codecs.utf8()).openTimeout(Duration.ofMillis(300)))));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("party.sock"), e.getMessage());
            assertNotNull(e.getCause(), "the last error is kept");
        } finally {
            silent.close();
        }
    }

    /**
     * A program that is not LevelParty holds the directory's LevelDB lock (here a Python process
     * locking LOCK with fcntl, as LevelDB does): open says so within about a second, naming its pid
     * and command line, instead of waiting out its open timeout for a leader that never answers.
     */
    @Test
    void aForeignLockHolderIsNamedWithoutWaitingOutTheOpenTimeout() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("db"));
        Process holder = new ProcessBuilder("/usr/bin/python3", "-c",
                "import fcntl,sys,time\nf=open(sys.argv[1],'a')\nfcntl.lockf(f,fcntl.LOCK_EX)\n"
                        + "print('locked',flush=True)\ntime.sleep(120)", dir.resolve("LOCK").toString()).start();
        try {
            assertEquals('l', holder.getInputStream().read(), "the holder took the lock");
            long start = System.nanoTime();
            PartyUnavailableException e = assertThrows(PartyUnavailableException.class,
                    () -> LevelParty.open(dir, PartyOptions.of(Codecs.utf8()).openTimeout(Duration.ofSeconds(30))));
            long took = System.nanoTime() - start;
            assertTrue(e.getMessage().contains("pid " + holder.pid()) && e.getMessage().contains("python3"),
                    e.getMessage());
            assertTrue(took < TimeUnit.SECONDS.toNanos(15), "gave up after " + took + " ns, not at once");
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aStaleSocketFileIsReplacedByTheNextLeader() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("db"));
        Files.writeString(dir.resolve(SocketPaths.SOCKET_FILE), "left behind by a killed leader");
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Role.FOLLOWER, follower.role());
            follower.put("k", "v");
            assertEquals("v", leader.get("k"));
        }
    }

    private static LocalStore openDirectly(Path dir) throws IOException {
        LocalStore store = LocalStore.tryOpen(Files.createDirectories(dir));
        assertNotNull(store);
        return store;
    }
}
