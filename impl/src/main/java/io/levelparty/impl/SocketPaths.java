package io.levelparty.impl;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where the leader of a directory listens. By default {@code <dir>/party.sock}; when that path is
 * too long for a Unix socket address (the kernel allows 108 bytes including a terminating zero,
 * and the JDK 106), every process derives the same short path under the temporary directory from
 * a hash of the directory's canonical path — so no pointer file is needed, and nothing is ever
 * silently truncated.
 */
final class SocketPaths {
    /** The longest socket path used as is; a little below the platform limits. */
    static final int MAX_SOCKET_PATH_BYTES = 100;
    static final String SOCKET_FILE = "party.sock";

    private SocketPaths() {}

    /** Returns the socket path for the directory whose canonical path is {@code canonicalDir}. */
    static Path forDirectory(Path canonicalDir) {
        Path inDir = canonicalDir.resolve(SOCKET_FILE);
        if (fits(inDir)) {
            return inDir;
        }
        String name = "levelparty-" + hash(canonicalDir.toString()) + ".sock";
        Path inTmp = Path.of(System.getProperty("java.io.tmpdir")).resolve(name);
        return fits(inTmp) ? inTmp : Path.of("/tmp").resolve(name);
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
