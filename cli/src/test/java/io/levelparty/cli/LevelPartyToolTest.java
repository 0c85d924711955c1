package io.levelparty.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.Role;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.fusesource.leveldbjni.internal.NativeDB;
import org.fusesource.leveldbjni.internal.NativeIterator;
import org.fusesource.leveldbjni.internal.NativeReadOptions;
import org.fusesource.leveldbjni.internal.NativeOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool run as its own JVM beside a live party: this test's JVM leads the directory, and every
 * command joins it as a follower, as it would beside a running application.
 */
class LevelPartyToolTest {
    @TempDir
    Path tmp;

    private Path dir;
    private PartyMap<String> app;

    /** What a run of the tool did. */
    record Run(int exit, List<String> out, String err) {}

    @BeforeEach
    void startTheApplication() {
        dir = tmp.resolve("db");
        app = LevelParty.open(dir, Codecs.utf8());
        assertEquals(Role.LEADER, app.role());
    }

    @AfterEach
    void stopTheApplication() {
        app.close();
    }

    /**
     * Runs the tool as bin/levelparty does: on the module's classes and its runtime class path
     * (which Maven writes before the tests), not on the tests' own class path, so that a
     * dependency the tool needs but only the tests have is caught here.
     */
    private static ProcessBuilder tool(String... args) throws IOException {
        Path target = Path.of("target");
        String classPath = target.resolve("classes").toAbsolutePath() + File.pathSeparator
                + Files.readString(target.resolve("classpath.txt")).strip();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, LevelPartyTool.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private static Run runWithInput(String input, String... args) throws Exception {
        Process p = tool(args).start();
        p.getOutputStream().write(input.getBytes(UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the tool ended");
        return new Run(p.exitValue(), out.lines().toList(), err.strip());
    }

    private static Run run(String... args) throws Exception {
        return runWithInput("", args);
    }

    @Test
    void putGetAndRemoveAreSharedWithTheParty() throws Exception {
        assertEquals(0, run("put", dir.toString(), "from-tool", "hé llo").exit());
        assertEquals("hé llo", app.get("from-tool"), "the application sees the tool's write");
        app.put("from-app", "42");
        Run get = run("get", dir.toString(), "from-app");
        assertEquals(new Run(0, List.of("42"), ""), get);
        assertEquals(0, run("rm", dir.toString(), "from-app").exit());
        assertNull(app.get("from-app"));
        Run missing = run("get", dir.toString(), "from-app");
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("from-app"), missing.err());
        assertEquals(Role.LEADER, app.role(), "the tool followed, and left the lead where it was");
    }

    @Test
    void scanSelectsAPrefixOrARangeInEitherOrder() throws Exception {
        for (String k : List.of("a", "b/1", "b/2", "b/3", "c")) {
            app.put(k, "v" + k);
        }
        assertEquals(List.of("{\"key\":\"b/1\",\"value\":\"vb/1\"}", "{\"key\":\"b/2\",\"value\":\"vb/2\"}",
                "{\"key\":\"b/3\",\"value\":\"vb/3\"}"), run("scan", dir.toString(), "--prefix", "b/").out());
        assertEquals(List.of("{\"key\":\"c\"}", "{\"key\":\"b/3\"}"),
                run("scan", dir.toString(), "--reverse", "--limit", "2", "--keys-only").out());
        assertEquals(List.of("{\"key\":\"b/1\",\"value\":\"vb/1\"}"),
                run("scan", dir.toString(), "--from", "b", "--to", "b/2").out());
    }

    @Test
    void dumpThenLoadCopiesAMapAndAMalformedLineStopsTheLoadThere() throws Exception {
        for (int i = 0; i < 2500; i++) {
            app.put(String.format("k%05d", i), "value \"" + i + "\" ü");
        }
        Run dump = run("dump", dir.toString());
        assertEquals(2500, dump.out().size());

        Path copy = Files.createDirectory(tmp.resolve("copy"));
        Run load = runWithInput(String.join("\n", dump.out()) + "\n", "load", copy.toString());
        assertEquals(new Run(0, List.of("loaded 2500 entries in 3 batches"), ""), load);
        try (PartyMap<String> loaded = LevelParty.open(copy, Codecs.utf8())) {
            assertEquals(app, loaded);
        }

        Path partial = Files.createDirectory(tmp.resolve("partial"));
        Run bad = runWithInput("{\"key\":\"x\",\"value\":\"1\"}\n{\"key\":\"y\"}\n{\"key\":\"z\",\"value\":\"3\"}\n",
                "load", partial.toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().startsWith("load: line 2:") && !bad.err().contains("\n"), bad.err());
        try (PartyMap<String> loaded = LevelParty.open(partial, Codecs.utf8())) {
            assertEquals(List.of("x"), List.copyOf(loaded.keySet()), "the line before is written, none after");
        }
    }

    @Test
    void watchPrintsTheWritesOfOtherProcessesAsTheyCommit() throws Exception {
        Process watch = tool("watch", dir.toString(), "--prefix", "w/").start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(watch.getErrorStream(), UTF_8));
                BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), UTF_8))) {
            String started = err.readLine();
            assertTrue(started != null && started.startsWith("watching"), started);
            app.put("other", "not watched");
            app.put("w/1", "one");
            app.remove("w/1");
            assertTrue(out.readLine().matches("\\{\"put\":\"w/1\",\"value\":\"one\",\"seq\":\\d+}"));
            assertTrue(out.readLine().matches("\\{\"remove\":\"w/1\",\"seq\":\\d+}"));
        } finally {
            watch.destroy(); // SIGTERM, as Ctrl-C: the tool closes its map and exits
            assertTrue(watch.waitFor(30, TimeUnit.SECONDS));
        }
    }

    /**
     * A backup taken while the application writes k0, k1, … in order holds a prefix of those
     * writes, with no hole, and plain LevelDB opens it.
     */
    @Test
    void aBackupUnderWritesIsAConsistentPrefixThatPlainLevelDbOpens() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> {
            while (writing.get()) {
                int i = written.get();
                app.put(String.format("k%07d", i), "v" + i);
                written.incrementAndGet();
            }
        });
        writer.start();
        Poll.until(() -> written.get() > 2000, "the application to write");
        Path copy = tmp.resolve("backup");
        Run backup;
        try {
            backup = run("backup", dir.toString(), copy.toString());
        } finally {
            writing.set(false);
            writer.join();
        }
        assertEquals(0, backup.exit(), backup.err());
        NativeDB plain = NativeDB.open(new NativeOptions(), copy.toFile());
        int n = 0;
        NativeIterator it = plain.iterator(new NativeReadOptions());
        try {
            for (it.seekToFirst(); it.isValid(); it.next(), n++) {
                assertEquals(String.format("k%07d", n), new String(it.key(), UTF_8), "no hole in the copy");
                assertEquals("v" + n, new String(it.value(), UTF_8));
            }
        } finally {
            it.delete();
            plain.delete();
        }
        assertTrue(n > 2000 && n <= written.get(), n + " of " + written.get());

        Run again = run("backup", dir.toString(), copy.toString());
        assertEquals(2, again.exit(), "the destination exists");
    }

    @Test
    void compactKeepsEveryEntry() throws Exception {
        for (int i = 0; i < 1000; i++) {
            app.put("c/" + i, "v");
            app.remove("c/" + i);
        }
        app.put("c/kept", "v");
        assertEquals(0, run("compact", dir.toString(), "--prefix", "c/").exit());
        assertEquals(java.util.Map.of("c/kept", "v"), app);
    }

    @Test
    void statNamesTheLeaderAndCountsTheEntries() throws Exception {
        app.put("a", "1");
        app.put("b", "2");
        Run stat = run("stat", dir.toString());
        assertEquals(0, stat.exit(), stat.err());
        String line = stat.out().get(0);
        assertTrue(line.contains("\"role\":\"FOLLOWER\"") && line.contains("\"leaderPid\":" + ProcessHandle.current().pid())
                && line.contains("\"entries\":2") && line.contains("\"diskBytes\":"), line);
        // The tool is a follower of its own: the leader lists it, a process other than this one.
        assertTrue(line.matches(".*\"followers\":\\[\\{\"pid\":\\d+,\"uid\":\\d+,\"caching\":(true|false),"
                + "\"connectedMillis\":\\d+}].*") && !line.contains("\"pid\":" + ProcessHandle.current().pid() + ","),
                line);
    }

    @Test
    void badArgumentsAndAMissingDirectoryAreUsageErrorsInOneLine() throws Exception {
        for (String[] args : List.of(new String[] {"get", dir.toString()}, new String[] {"frob"},
                new String[] {"scan", dir.toString(), "--timeout", "soon"},
                new String[] {"get", tmp.resolve("nowhere").toString(), "k"})) {
            Run run = run(args);
            assertEquals(2, run.exit(), String.join(" ", args));
            assertFalse(run.err().isEmpty() || run.err().contains("\n"), run.err());
        }
        assertFalse(Files.exists(tmp.resolve("nowhere")), "the tool made no directory of a typo");
    }

    @Test
    void aPartyThatCannotBeReachedInTimeExitsWith3() throws Exception {
        Path held = Files.createDirectory(tmp.resolve("held"));
        // A LevelDB program that is not LevelParty (this JVM, through plain leveldbjni) holds the lock.
        NativeDB plain = NativeDB.open(new NativeOptions().createIfMissing(true), held.toFile());
        try {
            Run run = run("get", held.toString(), "k", "--timeout", "3s");
            assertEquals(3, run.exit());
            assertTrue(run.err().startsWith("get: ") && run.err().contains("pid " + ProcessHandle.current().pid()),
                    run.err());
        } finally {
            plain.delete();
        }
    }
}
