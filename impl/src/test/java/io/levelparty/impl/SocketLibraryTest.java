package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SocketLibrary}: junixsocket's library is copied once per user, and loaded from there. */
class SocketLibraryTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @Test
    void processesThatOpenAMapShareOneCopyOfTheLibrary() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path privateDir = tmp.resolve("levelparty-" + ThisProcess.UID);
        String output = openInAFreshJvm(tmp);
        List<Path> copies = libraries(privateDir);
        assertEquals(1, copies.size(), "one copy in " + privateDir + ": " + copies);
        assertTrue(output.contains("library " + copies.get(0) + ", override null"),
                "junixsocket loaded the copy, and the property naming it was cleared after the open: " + output);
        assertArrayEquals(bundled(copies.get(0).getFileName().toString()), Files.readAllBytes(copies.get(0)));
        Object inode = Files.getAttribute(copies.get(0), "unix:ino");

        openInAFreshJvm(tmp);
        assertEquals(copies, libraries(privateDir));
        assertEquals(inode, Files.getAttribute(copies.get(0), "unix:ino"), "the second process loads the first's copy");
    }

    /**
     * A directory of the private directory's name that another user made first, holding a file of
     * the library's name and length, is not used: junixsocket loads a library of its own, and the
     * map opens. Needs root, to give the directory to {@code nobody}.
     */
    @Test
    void aDirectoryAnotherUserMadeFirstIsNotUsed() throws Exception {
        assumeTrue(ThisProcess.UID == 0, "gives a directory to nobody, which takes root");
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path taken = Files.createDirectory(tmp.resolve("levelparty-" + ThisProcess.UID));
        Path genuine = SocketLibrary.privateCopy(SocketLibrary.nativeJar(), name -> dir);
        assertNotNull(genuine, "junixsocket's jar has a library for this platform");
        Path planted = taken.resolve(genuine.getFileName());
        byte[] zeros = new byte[(int) Files.size(genuine)]; // loaded, it would fail the open
        Files.write(planted, zeros);
        Files.setPosixFilePermissions(taken, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setOwner(taken, taken.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        String output = openInAFreshJvm(tmp);
        assertFalse(output.contains("library " + planted), output);
        assertArrayEquals(zeros, Files.readAllBytes(planted), "the other user's file is left as it was");
    }

    @Test
    void aCopyCutShortIsWrittenAgain() throws IOException {
        Path first = SocketLibrary.privateCopy(SocketLibrary.nativeJar(), name -> dir);
        assertNotNull(first, "junixsocket's jar has a library for this platform");
        byte[] library = Files.readAllBytes(first);
        Files.write(first, new byte[library.length / 2]);

        assertEquals(first, SocketLibrary.privateCopy(SocketLibrary.nativeJar(), name -> dir));
        assertArrayEquals(library, Files.readAllBytes(first));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(first), files.toList(), "no partial file left behind");
        }
    }

    @Test
    void aJarWithoutALibraryForThisPlatformGivesNoCopy() throws IOException {
        Path jar = dir.resolve("empty.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new ZipEntry(
                    "META-INF/maven/com.kohlschutter.junixsocket/junixsocket-native-common/pom.properties"));
            zip.write("version=0.0.1\n".getBytes(StandardCharsets.UTF_8));
        }
        assertNull(SocketLibrary.privateCopy(jar, name -> dir));
        assertEquals(List.of(), libraries(dir));
    }

    /** Runs a JVM that opens a map, with {@code tmp} as its temporary directory; returns its output. */
    private String openInAFreshJvm(Path tmp) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), EngineChild.class.getName(),
                "open", dir.resolve("db").toString()).redirectErrorStream(true).start();
        child.getOutputStream().close();
        String output;
        try (InputStream out = child.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("read 12"), output);
        return output;
    }

    private static List<Path> libraries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().contains("junixsocket")).sorted().toList();
        }
    }

    private static byte[] bundled(String name) throws IOException {
        try (ZipFile zip = new ZipFile(SocketLibrary.nativeJar().toFile())) {
            return zip.stream().filter(e -> e.getName().endsWith("/jni/" + name))
                    .filter(e -> e.getName().contains(System.getProperty("os.arch") + "-Linux"))
                    .findFirst().map(e -> {
                        try (InputStream in = zip.getInputStream(e)) {
                            return in.readAllBytes();
                        } catch (IOException x) {
                            throw new AssertionError(x);
                        }
                    }).orElseThrow();
        }
    }
}
