package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyException;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.Role;
import io.levelparty.StorageEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A filesystem that really fills up, not one made to look full as in {@link DiskReserveTest}: a
 * small tmpfs. The leader is a child JVM, on each engine, and this JVM follows it; both keep a
 * reserve of {@value #RESERVE} bytes. This JVM writes until its writes are refused, then fills
 * what is left with a file of its own, to the last byte, as another program would, while LevelDB
 * may still be compacting what it was given. Writes must then fail with an exception, reads go on,
 * and once space is freed writes resume; every acknowledged write is read back, also after a
 * restart. On the Java engine the leader lives on throughout: a compaction that finds no space
 * fails, and the leader serves reads until space is freed, then ends its term rather than keep a
 * database that refuses every write. On the native engine a compaction writing into a page the
 * filesystem cannot back kills the leader with SIGBUS (leveldbjni's LevelDB writes through
 * {@code mmap}), and the follower takes over once the space is free. The follower takes over on
 * the Java engine: on the native one it would die the same way should the filesystem fill up
 * while it replays the log, and it is this test's JVM. Needs root, to mount.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FullFilesystemTest {
    private static final long RESERVE = 8L << 20;
    private static final int VALUE_BYTES = 256 << 10;
    /** Kept on the filesystem from the start, and deleted with the filler: the room freed for the next leader. */
    private static final int BALLAST_BYTES = 16 << 20;

    @TempDir(factory = ShortTempDir.class)
    Path mountPoint;
    /** Where a child that dies of SIGBUS writes its error report, rather than in the working directory. */
    @TempDir
    Path crashReports;
    /** A directory on a filesystem with room. */
    @TempDir(factory = ShortTempDir.class)
    Path roomy;
    private boolean mounted;
    private Process leader;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void mountSmallFilesystem() throws Exception {
        assumeTrue(ThisProcess.UID == 0, "mounts a tmpfs, which takes root");
        run("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mountPoint.toString());
        mounted = true;
        System.setProperty(DiskReserve.PROPERTY, Long.toString(RESERVE));
    }

    @AfterEach
    void unmount() throws Exception {
        System.clearProperty(DiskReserve.PROPERTY);
        if (leader != null) {
            children.add(leader);
        }
        for (Process child : children) {
            child.destroyForcibly().waitFor();
        }
        if (mounted) {
            run("umount", "-l", mountPoint.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(value = StorageEngine.class, names = {"JAVA", "NATIVE"})
    void aFullFilesystemFailsWritesCleanlyAndLosesNothing(StorageEngine engine) throws Exception {
        Path db = mountPoint.resolve("db");
        Path ballast = mountPoint.resolve("ballast");
        Files.write(ballast, new byte[BALLAST_BYTES]);
        leader = startLeader(db, engine, crashReports);
        String value = incompressible(VALUE_BYTES); // LevelDB compresses its tables
        List<String> acknowledged = new ArrayList<>();
        // Should this JVM take the lead, it does so on the Java engine, which a full filesystem does not kill.
        PartyOptions<String> options = PartyOptions.of(Codecs.utf8()).requestTimeout(Duration.ofSeconds(5))
                .engine(StorageEngine.JAVA);
        try (PartyMap<String> follower = LevelParty.open(db, options)) {
            assertEquals(Role.FOLLOWER, follower.role());
            PartyException refused = null;
            for (int i = 0; refused == null && i < 1_000; i++) {
                try {
                    follower.put("k" + i, value);
                    acknowledged.add("k" + i);
                } catch (PartyException e) {
                    if (e.getMessage().contains("bytes free")) {
                        refused = e;
                    } // else not acknowledged in time, on a busy machine: neither counted nor refused
                }
            }
            assertTrue(refused != null && refused.getMessage().contains("bytes free"),
                    "writes are refused once less than the reserve is free: " + refused);

            Path filler = mountPoint.resolve("filler");
            fillUp(filler);
            for (int i = 0; i < 3; i++) {
                String key = "full" + i;
                // Mostly the reserve's refusal; LevelDB's own failure where the filesystem filled up
                // between the leader's look at the free space and its write (as a compaction that
                // ended freed some).
                assertThrows(PartyException.class, () -> follower.put(key, value));
            }
            if (engine == StorageEngine.JAVA) {
                assertTrue(leader.isAlive(), "the leader lives on with no byte free");
                assertEquals(value, follower.get(acknowledged.get(0)), "reads go on");
            }

            Files.delete(filler);
            Files.delete(ballast);
            Poll.until(() -> written(follower, "after", "1"), "writes to resume once space is free");
            for (String key : acknowledged) {
                assertEquals(value, follower.get(key), key);
            }
            assertEquals("1", follower.get("after"));
            if (engine == StorageEngine.JAVA) {
                assertTrue(leader.isAlive(), "the leader lives on");
            }
            for (int i = 0; i < 3; i++) {
                assertNull(follower.get("full" + i), "full" + i + " was refused, so never written");
            }
        }
        leader.getOutputStream().close(); // a live child closes its map and exits
        assertTrue(leader.waitFor(30, TimeUnit.SECONDS), "the leader exits");
        try (PartyMap<String> next = LevelParty.open(db, Codecs.utf8())) {
            assertEquals(Role.LEADER, next.role());
            for (String key : acknowledged) {
                assertEquals(value, next.get(key), key);
            }
            assertEquals("1", next.get("after"));
        }
    }

    /**
     * A follower whose {@code java.io.tmpdir} is full: junixsocket's library cannot be written
     * there, so it is written under {@code /dev/shm} (see {@link SocketLibrary}), and the open
     * succeeds (it threw {@link UnsatisfiedLinkError} before); and the follower, which rehearses a
     * takeover on a throwaway database there (see {@link LeaderServer#rehearseInBackground}),
     * skips that rather than have LevelDB write through {@code mmap} on a full filesystem.
     */
    @Test
    void aFollowerWhoseTemporaryDirectoryIsFullSkipsItsRehearsal() throws Exception {
        Path tmp = Files.createDirectory(mountPoint.resolve("tmp"));
        fillUp(mountPoint.resolve("filler"));
        Path db = roomy.resolve("db");
        try (PartyMap<String> leader = LevelParty.open(db, Codecs.utf8())) {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + tmp, "-XX:ErrorFile=" + crashReports.resolve("hs_err_pid%p.log"),
                    "-XX:-CreateCoredumpOnCrash", "-Dorg.slf4j.simpleLogger.log." + LeaderServer.class.getName() + "=debug",
                    "-cp", System.getProperty("java.class.path"), EngineChild.class.getName(), "lead", db.toString(), "3");
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            children.add(child);
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            String rehearsal = null;
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
                if (line.toLowerCase().contains("rehearsing a takeover")) {
                    rehearsal = line;
                }
                if (rehearsal != null && lines.contains("FOLLOWER")) {
                    break;
                }
            }
            assertTrue(rehearsal != null && rehearsal.contains("Not rehearsing"), "the follower skips its rehearsal: "
                    + lines);
            assertTrue(lines.contains("FOLLOWER"), lines.toString());
            assertEquals("value2", leader.get("child2"));
            child.getOutputStream().close();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the follower exits");
            assertEquals(0, child.exitValue(), "the follower lived to exit on its own");
        }
    }

    /** Starts a child JVM that leads {@code db} on {@code engine}, and returns it once it leads. */
    private static Process startLeader(Path db, StorageEngine engine, Path crashReports) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ErrorFile=" + crashReports.resolve("hs_err_pid%p.log"), "-XX:-CreateCoredumpOnCrash",
                "-D" + DiskReserve.PROPERTY + "=" + RESERVE, "-D" + LevelDbEngines.PROPERTY + "=" + engine.name().toLowerCase(),
                "-cp", System.getProperty("java.class.path"), EngineChild.class.getName(), "lead", db.toString(), "0");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            lines.add(line);
            if (line.equals("LEADER")) {
                Thread drain = new Thread(() -> out.lines().forEach(System.out::println), "leader output");
                drain.setDaemon(true);
                drain.start();
                return process;
            }
        }
        return fail("the child did not lead: " + lines);
    }

    /**
     * Writes {@code filler} until the filesystem has no byte left. LevelDB may free some soon after
     * (a compaction that ends deletes its inputs), less than the reserve.
     */
    private static void fillUp(Path filler) throws IOException {
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int size = 64 << 10; size > 0; size /= 2) {
                byte[] block = new byte[size];
                try {
                    while (true) {
                        out.write(block);
                    }
                } catch (IOException e) {
                    if (!String.valueOf(e.getMessage()).contains("No space left")) {
                        throw e;
                    }
                }
            }
        }
    }

    private static String incompressible(int length) {
        Random random = new Random(42);
        StringBuilder value = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            value.append((char) ('a' + random.nextInt(26)));
        }
        return value.toString();
    }

    private static boolean written(PartyMap<String> map, String key, String value) {
        try {
            map.put(key, value);
            return true;
        } catch (PartyException e) {
            return false;
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
    }
}
