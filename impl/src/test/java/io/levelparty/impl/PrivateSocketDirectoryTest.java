package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.levelparty.PartyUnavailableException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback socket path of a directory whose own path is too long: it lives in a directory of
 * this user that nobody else may enter, and anything else found at that path is refused at once,
 * naming its owner. {@code java.io.tmpdir} points at a test directory meanwhile.
 */
class PrivateSocketDirectoryTest {
    @TempDir(factory = ShortTempDir.class)
    Path tmp;
    private String savedTmpdir;
    private Path longDir;
    private Path expected;

    @BeforeEach
    void pointTmpdirHere() {
        assumeTrue(System.getenv("XDG_RUNTIME_DIR") == null, "the socket would live in XDG_RUNTIME_DIR");
        savedTmpdir = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
        longDir = tmp.resolve("d".repeat(120));
        expected = tmp.resolve("levelparty-" + ThisProcess.UID);
    }

    @AfterEach
    void restoreTmpdir() {
        if (savedTmpdir != null) {
            System.setProperty("java.io.tmpdir", savedTmpdir);
        }
    }

    @Test
    void theFallbackSocketLivesInADirectoryOnlyThisUserMayEnter() throws Exception {
        Path socket = SocketPaths.forDirectory(longDir);
        assertEquals(expected, socket.getParent());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(expected)));
        assertEquals(socket, SocketPaths.forDirectory(longDir), "the same path for every process of the user");
    }

    @Test
    void aDirectoryOthersMayEnterIsRefused() throws Exception {
        Files.createDirectory(expected);
        Files.setPosixFilePermissions(expected, PosixFilePermissions.fromString("rwxrwxrwx"));
        PartyUnavailableException e = assertThrows(PartyUnavailableException.class,
                () -> SocketPaths.forDirectory(longDir));
        assertTrue(e.getMessage().contains("rwxrwxrwx") && e.getMessage().contains(expected.toString()), e.getMessage());
    }

    @Test
    void aLinkIsRefusedEvenToAPrivateDirectory() throws Exception {
        Path target = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        Files.createSymbolicLink(expected, target);
        PartyUnavailableException e = assertThrows(PartyUnavailableException.class,
                () -> SocketPaths.forDirectory(longDir));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    /** Another user got there first (it can, under a shared /tmp): refused at once, naming that user. Needs root. */
    @Test
    void aDirectoryOfAnotherUserIsRefusedNamingItsOwner() throws Exception {
        assumeTrue(ThisProcess.UID == 0, "making a directory another user owns takes root");
        Files.createDirectory(expected);
        Files.setPosixFilePermissions(expected, PosixFilePermissions.fromString("rwx------"));
        UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(expected, nobody);
        PartyUnavailableException e = assertThrows(PartyUnavailableException.class,
                () -> SocketPaths.forDirectory(longDir));
        assertTrue(e.getMessage().contains("user nobody"), e.getMessage());
        assertTrue(Files.isDirectory(expected, LinkOption.NOFOLLOW_LINKS), "left as it was");
    }
}
