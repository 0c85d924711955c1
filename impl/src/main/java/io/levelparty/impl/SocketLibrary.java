package io.levelparty.impl;

import io.levelparty.PartyException;
import io.levelparty.PartyUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.newsclub.net.unix.AFSocket;

/**
 * Where junixsocket loads its native library from: a copy kept in this user's private directory
 * (see {@link SocketPaths#privateDirectory}), rather than one extracted anew by each process.
 *
 * <p>Why: left to itself, junixsocket extracts its library from its jar into a new file under
 * {@code java.io.tmpdir} in every process, which costs a cold follower's open 20–40 ms: the
 * random file name starts {@link java.security.SecureRandom}, and the loader lists the whole
 * temporary directory to clean up after earlier processes. The first process of a user writes
 * the copy, under a name of its own and then renamed into place, so no process loads a partly
 * written one; later processes find it, named after junixsocket's version and as long as the
 * jar's, and load it. Only a directory of this user that nobody else may enter is used, so no
 * other user can put a library there; where that directory's filesystem is full, one under
 * {@code /dev/shm} is. Whatever stands in the way (junixsocket's jar not a plain
 * file, no library in it for this platform, a directory that is not private, an IO error) leaves
 * junixsocket to load its library as it would have, and so does a process that names a library
 * itself with junixsocket's {@value #OVERRIDE} property.
 *
 * <p>That property is the whole process's, and junixsocket reads it in each class loader that loads
 * it. So it is set only for the first open, whose sockets load the library, and cleared when that
 * open returns ({@link #forgetPrivateCopy}): a junixsocket of another version, in another class
 * loader of the same process, does not load this one's library.
 */
final class SocketLibrary {
    /** junixsocket's property naming the library file to load. */
    static final String OVERRIDE = "org.newsclub.net.unix.library.override";
    private static final String POM =
            "META-INF/maven/com.kohlschutter.junixsocket/junixsocket-native-common/pom.properties";
    private static boolean chosen;
    /** The copy this class named in the property, until it is cleared; guarded by the class. */
    private static String named;

    private SocketLibrary() {}

    /** Points junixsocket at this user's copy of its library, once per process, unless told otherwise. */
    static synchronized void preferPrivateCopy() {
        if (chosen) {
            return;
        }
        chosen = true;
        if (System.getProperty(OVERRIDE) != null) {
            return;
        }
        try {
            Path jar = nativeJar();
            if (jar != null) {
                Path copy = privateCopyAnywhere(jar);
                if (copy != null) {
                    named = copy.toString();
                    System.setProperty(OVERRIDE, named);
                }
            }
        } catch (IOException | PartyException | SecurityException e) {
            // junixsocket extracts its library itself, as it would without this class.
        }
    }

    /**
     * {@link #privateCopy} in this user's private directory, or, where that fails (a temporary
     * directory that is full or read-only), in one of this user's under {@code /dev/shm}: left to
     * itself, junixsocket would fail the same way, writing under {@code java.io.tmpdir}.
     */
    private static Path privateCopyAnywhere(Path jar) throws IOException {
        try {
            return privateCopy(jar, SocketPaths::privateDirectory);
        } catch (IOException | PartyException e) {
            Path shm = Path.of("/dev/shm");
            if (!Files.isDirectory(shm)) {
                throw e;
            }
            return privateCopy(jar, name -> SocketPaths.privateDirectoryIn(shm));
        }
    }

    /**
     * Throws if junixsocket's native library did not load, naming why, rather than leave the
     * first socket to throw {@link UnsatisfiedLinkError}.
     *
     * @throws PartyUnavailableException if the library did not load
     */
    static void ensureLoaded() {
        try {
            AFSocket.ensureSupported();
        } catch (UnsupportedOperationException | LinkageError e) {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            throw new PartyUnavailableException("LevelParty's sockets need junixsocket's native library, which did not"
                    + " load: it is written under java.io.tmpdir (" + tmp + ", " + tmp.toFile().getUsableSpace()
                    + " bytes free) or /dev/shm, unless the system property " + OVERRIDE + " names it: " + e, e);
        }
    }

    /**
     * Clears the property {@link #preferPrivateCopy} set, unless someone else has changed it since:
     * called once the open it was set for has returned, by when junixsocket has loaded its library.
     */
    static synchronized void forgetPrivateCopy() {
        if (named != null && named.equals(System.getProperty(OVERRIDE))) {
            System.clearProperty(OVERRIDE);
        }
        named = null;
    }

    /** Returns junixsocket's jar of native libraries if it is a plain file on the class path, else null. */
    static Path nativeJar() {
        URL pom = AFSocket.class.getClassLoader().getResource(POM);
        if (pom == null || !pom.getProtocol().equals("jar")) {
            return null;
        }
        String file = pom.getPath(); // file:/…/junixsocket-native-common-V.jar!/META-INF/…
        int separator = file.indexOf("!/");
        try {
            return separator < 0 || !file.startsWith("file:") ? null
                    : Path.of(new URL(file.substring(0, separator)).toURI());
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Returns this user's copy of the library that {@code jar} holds for this platform, writing it
     * first into the directory {@code directory} gives for its file name, unless a copy as long is
     * there already; or null if {@code jar} holds no library for this platform.
     */
    static Path privateCopy(Path jar, Function<String, Path> directory) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Properties pom = new Properties();
            ZipEntry pomEntry = zip.getEntry(POM);
            if (pomEntry == null) {
                return null;
            }
            try (InputStream in = zip.getInputStream(pomEntry)) {
                pom.load(in);
            }
            String name = System.mapLibraryName("junixsocket-native-" + pom.getProperty("version"));
            ZipEntry library = zip.getEntry("lib/" + System.getProperty("os.arch") + "-"
                    + System.getProperty("os.name").replace(" ", "") + "-clang/jni/" + name);
            if (library == null || library.getSize() < 0) {
                return null;
            }
            Path copy = directory.apply(name).resolve(name);
            try {
                if (Files.size(copy) == library.getSize()) {
                    return copy;
                }
            } catch (NoSuchFileException first) {
                // written below
            }
            Path partial = copy.resolveSibling(name + "." + ThisProcess.PID + ".partial");
            try (InputStream in = zip.getInputStream(library)) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                Files.deleteIfExists(partial); // a full disk stays no fuller
                throw e;
            }
            // Renamed whole into place: another process loads the old bytes or the new ones, never part.
            Files.move(partial, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return copy;
        }
    }
}
