package io.levelparty.impl;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import io.levelparty.PartyUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Where the leader of a directory listens. By default {@code <dir>/party.sock}, which the
 * directory's permissions protect. When that path is too long for a Unix socket address (the
 * kernel allows 108 bytes including a terminating zero, and the JDK 106), every process of the
 * user derives the same short path from a hash of the directory's canonical path, in a directory
 * that only this user may enter: {@code $XDG_RUNTIME_DIR} if it is set and private, else
 * {@code <java.io.tmpdir>/levelparty-<uid>} (or {@code /tmp/levelparty-<uid>} if that is too
 * long), created with mode 0700. A directory of that name that is not this user's own, or that
 * others may enter, or a link, is refused at once with a message naming its owner: under a shared
 * {@code /tmp}, a path everyone can predict would let another user bind the socket first, or
 * block it. So no pointer file is needed, nothing is ever silently truncated, and a party whose
 * directory path is that long is a party of one user (name a socket path in
 * {@link io.levelparty.PartyOptions#socketPath} to share it with others).
 */
final class SocketPaths {
    /** The longest socket path used as is; a little below the platform limits. */
    static final int MAX_SOCKET_PATH_BYTES = 100;
    static final String SOCKET_FILE = "party.sock";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** The name of this user's private directory in a temporary directory. */
    private static final String OWN = "levelparty-" + ThisProcess.UID;

    private SocketPaths() {}

    /**
     * Returns the socket path for the directory whose canonical path is {@code canonicalDir},
     * creating the private directory it lives in if needed.
     *
     * @throws PartyUnavailableException if the private directory cannot be made or is not private
     */
    static Path forDirectory(Path canonicalDir) {
        Path inDir = canonicalDir.resolve(SOCKET_FILE);
        if (fits(inDir)) {
            return inDir;
        }
        String name = "levelparty-" + hash(canonicalDir.toString()) + ".sock";
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && runtime.startsWith("/") && fits(Path.of(runtime).resolve(name))
                && isPrivate(Path.of(runtime))) {
            return Path.of(runtime).resolve(name);
        }
        return privateDirectory(name).resolve(name);
    }

    /**
     * Returns this user's private directory for LevelParty's files, in which a file named
     * {@code longestName} still makes a short enough socket path, creating it if needed:
     * {@code <java.io.tmpdir>/levelparty-<uid>}, or {@code /tmp/levelparty-<uid>} if that is too long.
     *
     * @throws PartyUnavailableException if the directory cannot be made or is not private
     */
    static Path privateDirectory(String longestName) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        return privateDirectoryIn(fits(tmp.resolve(OWN).resolve(longestName)) ? tmp : Path.of("/tmp"));
    }

    /**
     * Returns this user's private directory in {@code parent}, {@code levelparty-<uid>}, creating
     * it if needed.
     *
     * @throws PartyUnavailableException if the directory cannot be made or is not private
     */
    static Path privateDirectoryIn(Path parent) {
        return privateDirectory(parent.resolve(OWN));
    }

    /** Creates {@code dir} with mode 0700 if missing, and returns it once it is this user's own and private. */
    private static Path privateDirectory(Path dir) {
        try {
            try {
                Files.createDirectory(dir);
                Files.setPosixFilePermissions(dir, OWNER_ONLY); // whatever the umask took away
            } catch (FileAlreadyExistsException existing) {
                // checked below, like one just made
            }
            if (!isPrivate(dir)) {
                PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW_LINKS);
                throw new PartyUnavailableException("Cannot keep LevelParty's socket in " + dir + ": it is "
                        + (attributes.isSymbolicLink() ? "a symbolic link" : attributes.isDirectory() ? "a directory"
                                : "a file")
                        + " of user " + attributes.owner().getName() + " (uid " + Files.getAttribute(dir, "unix:uid",
                                NOFOLLOW_LINKS) + ") with mode " + PosixFilePermissions.toString(attributes.permissions())
                        + ", and only a directory of this user (uid " + ThisProcess.UID + ") with mode rwx------ is "
                        + "safe from other users; remove it, or name a socket path in PartyOptions.socketPath", null);
            }
            return dir;
        } catch (IOException e) {
            throw new PartyUnavailableException("Cannot make a private directory for LevelParty's socket at " + dir
                    + ": " + e, e);
        }
    }

    /** Whether {@code dir} is a directory, not a link, of this process's user, that nobody else may enter. */
    private static boolean isPrivate(Path dir) {
        try {
            PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, NOFOLLOW_LINKS);
            return attributes.isDirectory()
                    && ((Number) Files.getAttribute(dir, "unix:uid", NOFOLLOW_LINKS)).longValue() == ThisProcess.UID
                    && attributes.permissions().equals(OWNER_ONLY);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean fits(Path socket) {
        return socket.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH_BYTES;
    }

    private static String hash(String canonicalDir) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalDir.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
