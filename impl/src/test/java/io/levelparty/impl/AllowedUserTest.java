package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PartyOptions.allowUid} lets a process of another user follow: the leader's socket admits
 * it, and it trusts the leader's user in turn. Needs root, to run the follower as {@code nobody}
 * (from a copy of the class path that user can read); the CI build runs as root.
 */
class AllowedUserTest {
    private static final int NOBODY = 65534;

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @Test
    void aFollowerOfAnAllowedUserJoinsTheParty() throws Exception {
        assumeTrue(ThisProcess.UID == 0, "runs the follower as nobody, which takes root");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path data = dir.resolve("db");
        try (PartyMap<String> leader = LevelParty.open(data, PartyOptions.of(Codecs.utf8()).allowUid(NOBODY))) {
            leader.put("from-leader", "hi");
            // The other user may enter the directory but not write it: it can follow, not lead.
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> command = List.of("runuser", "-u", "nobody", "--",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", readableClassPath(), OtherUserFollower.class.getName(), data.toString(), "0");
            Process follower = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(follower.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(true, follower.waitFor(60, TimeUnit.SECONDS), out);
            assertEquals(0, follower.exitValue(), out);
            assertEquals("FOLLOWER hi hello", out.lines().reduce((a, b) -> b).orElse(""), out);
            assertEquals("hello", leader.get("from-other-user"));
        }
    }

    /** Copies this JVM's class path where every user may read it, and returns the copy's class path. */
    private String readableClassPath() throws Exception {
        Path copy = Files.createDirectory(dir.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = copy.resolve(i++ + "-" + source.getFileName());
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path to = target.resolve(source.relativize(file).toString());
                    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            entries.add(target.toString());
        }
        try (Stream<Path> files = Files.walk(copy)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(
                        Files.isDirectory(file) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
