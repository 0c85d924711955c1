package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.Role;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartyOptions#syncWrites}: a process's writes are synced to disk before they are
 * acknowledged, whichever process leads, and other processes' writes are not. The leader runs in
 * a child JVM under {@code strace}, which records each {@code fdatasync}, {@code fsync} and
 * {@code msync} it makes as it returns, so before the leader can answer: the count in the trace
 * right after a write returns says whether the leader synced it. (LevelDB 1.8 writes its log
 * through a memory map, and syncs it with {@code msync}.)
 */
class SyncWritesTest {
    private static final int WRITES = 20;

    @TempDir
    Path tmp;

    @Test
    void eachProcessWritesSyncedOnlyIfItAsked() throws Exception {
        Path dir = tmp.resolve("db");
        Path trace = tmp.resolve("syncs.trace");
        Process leader = new ProcessBuilder("strace", "-f", "-qq", "-e", "trace=fdatasync,fsync,msync", "-o", trace.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SyncingLeader.class.getName(), dir.toString())
                .redirectError(tmp.resolve("leader.err").toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(leader.getInputStream(), StandardCharsets.UTF_8));
                PrintStream in = new PrintStream(leader.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertEquals("leading", out.readLine());
            try (PartyMap<String> unsynced = LevelParty.open(dir, Codecs.utf8());
                    PartyMap<String> synced = LevelParty.open(dir, PartyOptions.of(Codecs.utf8()).syncWrites(true))) {
                assertEquals(Role.FOLLOWER, unsynced.role());
                assertEquals(Role.FOLLOWER, synced.role());

                long before = syncs(trace);
                for (int i = 0; i < WRITES; i++) {
                    unsynced.put("plain" + i, "v");
                }
                long afterPlain = syncs(trace);
                assertTrue(afterPlain - before <= 2, (afterPlain - before) + " syncs for " + WRITES
                        + " writes of a follower that did not ask for them");

                for (int i = 0; i < WRITES; i++) {
                    synced.put("synced" + i, "v");
                    long syncs = syncs(trace);
                    assertTrue(syncs - afterPlain >= i + 1, "write " + (i + 1) + " of a follower with syncWrites "
                            + "was acknowledged after " + (syncs - afterPlain) + " syncs");
                }

                long beforeOwn = syncs(trace);
                in.println("write " + WRITES);
                assertEquals("written", out.readLine());
                long own = syncs(trace) - beforeOwn;
                assertTrue(own >= WRITES, "the leader synced " + own + " times for " + WRITES + " of its own writes");
            }
        } finally {
            leader.destroy();
            leader.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** Returns how many syncs of any kind the trace records so far. */
    private static long syncs(Path trace) throws IOException {
        List<String> lines = Files.readAllLines(trace, StandardCharsets.UTF_8);
        return lines.stream().filter(l -> l.contains("fdatasync(") || l.contains("fsync(") || l.contains("msync(")).count();
    }

    /**
     * The main class of the leader: opens {@code args[0]} with {@code syncWrites}, says "leading",
     * then for each line "write N" writes N keys and says "written".
     */
    public static final class SyncingLeader {
        private SyncingLeader() {}

        public static void main(String[] args) throws IOException {
            try (PartyMap<String> map = LevelParty.open(Path.of(args[0]), PartyOptions.of(Codecs.utf8()).syncWrites(true))) {
                if (map.role() != Role.LEADER) {
                    throw new IllegalStateException("expected to lead " + args[0] + ", but " + map.role());
                }
                System.out.println("leading");
                BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line; (line = commands.readLine()) != null; ) {
                    int n = Integer.parseInt(line.substring("write ".length()));
                    for (int i = 0; i < n; i++) {
                        map.put("own" + i, "v");
                    }
                    System.out.println("written");
                }
            }
        }
    }
}
