package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.Role;
import io.levelparty.StorageEngine;
import io.levelparty.spi.KeyRange;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Processes on different engines share one directory: one leads, the other follows, and takes
 * over when the leader is killed, with nothing lost. And the engine a process picks: native where
 * leveldbjni's library loads, Java with one INFO line where it does not, a clear refusal when
 * native is asked for there.
 */
class MixedEnginePartyTest {
    private static final int CHILD_KEYS = 200;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = StorageEngine.class, names = {"NATIVE", "JAVA"})
    void aLeaderOnOneEngineIsFollowedAndSucceededByTheOther(StorageEngine leaderEngine) throws Exception {
        StorageEngine followerEngine = leaderEngine == StorageEngine.NATIVE ? StorageEngine.JAVA : StorageEngine.NATIVE;
        Process leader = child(List.of("-D" + LevelDbEngines.PROPERTY + "=" + leaderEngine.name().toLowerCase(Locale.ROOT)),
                "lead", dir.toString(), Integer.toString(CHILD_KEYS));
        try {
            assertEquals("LEADER", firstLineOf(leader, line -> line.equals("LEADER") || line.equals("FOLLOWER")),
                    "the child leads, on the " + leaderEngine + " engine");
        } catch (RuntimeException | Error e) {
            leader.destroyForcibly();
            throw e;
        }
        try (PartyMap<String> map = LevelParty.open(dir, PartyOptions.of(Codecs.utf8()).engine(followerEngine))) {
            assertEquals(Role.FOLLOWER, map.role());
            assertEquals(CHILD_KEYS, map.subMap("child", "chile").size());
            for (int i = 0; i < 100; i++) {
                map.put("follower" + i, "value" + i);
            }
            leader.destroyForcibly(); // SIGKILL: no clean hand-over
            leader.waitFor();
            map.put("after", "takeover"); // elects this process, which opens the directory on its own engine
            assertEquals(Role.LEADER, map.role());
            assertEquals(CHILD_KEYS, map.subMap("child", "chile").size());
            assertEquals("value" + (CHILD_KEYS - 1), map.get("child" + (CHILD_KEYS - 1)));
            assertEquals(100, map.subMap("follower", "followes").size());
            assertEquals("takeover", map.get("after"));
        } finally {
            leader.destroyForcibly();
        }
        try (LocalStore reopened = LocalStore.tryOpen(dir, leaderEngine)) {
            assertEquals(CHILD_KEYS + 101, reopened.count(KeyRange.ALL), "the first engine reads it all again");
        }
    }

    /**
     * A killed leader leaves no copy of leveldbjni's library in the temporary directory: its loader
     * deletes the copy it extracts only at a normal exit, and the test suites had gathered 1,500.
     */
    @Test
    void aKilledLeaderLeavesNoCopyOfTheNativeLibraryBehind() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Process leader = child(List.of("-Djava.io.tmpdir=" + tmp, "-D" + LevelDbEngines.PROPERTY + "=native",
                "-Dorg.newsclub.net.unix.library.tmpdir=" + System.getProperty("java.io.tmpdir")),
                "lead", dir.resolve("db").toString(), "1");
        try {
            assertEquals("LEADER", firstLineOf(leader, line -> line.equals("LEADER") || line.equals("FOLLOWER")));
        } finally {
            leader.destroyForcibly(); // SIGKILL: no exit hook runs
            leader.waitFor();
        }
        try (Stream<Path> files = Files.list(tmp)) {
            List<String> copies = files.map(f -> f.getFileName().toString()).filter(n -> n.contains("leveldbjni")).toList();
            assertEquals(List.of(), copies, "copies of the library left in " + tmp);
        }
    }

    /** Where leveldbjni's library cannot load (here: it cannot be unpacked), AUTO falls back to Java, saying so once. */
    @Test
    void withoutTheNativeLibraryAutoRunsOnJavaAndNativeIsRefused() throws Exception {
        // leveldbjni unpacks its library into java.io.tmpdir; junixsocket is told to use another directory.
        List<String> noNativeLibrary = List.of("-Djava.io.tmpdir=" + dir.resolve("missing"),
                "-Dorg.newsclub.net.unix.library.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dorg.slf4j.simpleLogger.log." + LevelDbEngines.class.getName() + "=info");
        List<String> auto = run(child(noNativeLibrary, "open", dir.resolve("auto").toString()));
        assertTrue(auto.contains("read 12"), "both maps work: " + auto);
        List<String> info = auto.stream().filter(line -> line.contains("INFO")).collect(Collectors.toList());
        assertEquals(1, info.size(), "one INFO line for two maps: " + auto);
        assertTrue(info.get(0).contains("LevelDB runs on the Java engine") && info.get(0).contains("leveldbjni"),
                info.get(0));

        List<String> forced = new ArrayList<>(noNativeLibrary);
        forced.add("-D" + LevelDbEngines.PROPERTY + "=native");
        List<String> refused = run(child(forced, "open", dir.resolve("native").toString()));
        assertTrue(refused.stream().anyMatch(line -> line.startsWith("refused: The native LevelDB engine was asked for")),
                "a clear refusal: " + refused);
    }

    private static Process child(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EngineChild.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Reads {@code process}'s output up to the first line that passes {@code wanted}, and returns it. */
    private static String firstLineOf(Process process, Predicate<String> wanted) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> before = new ArrayList<>();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (wanted.test(line)) {
                return line;
            }
            before.add(line);
        }
        throw new AssertionError("the child ended with " + before);
    }

    /** Waits for {@code process} to end and returns its output's lines. */
    private static List<String> run(Process process) throws Exception {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            List<String> lines = out.lines().collect(Collectors.toList());
            assertEquals(0, process.waitFor(), "exit status; output: " + lines);
            return lines;
        }
    }
}
