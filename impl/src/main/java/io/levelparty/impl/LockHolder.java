package io.levelparty.impl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Who holds the LevelDB lock of a directory: whether another process does, and which one, as the
 * kernel lists it in {@code /proc/locks} (Linux only): LevelDB locks {@code <dir>/LOCK} with
 * {@code fcntl}, which records the owner's pid. Used to name a program that holds the lock without
 * serving LevelParty (a Node {@code level} process, a LevelDB tool) instead of waiting for a
 * leader that will never answer.
 */
final class LockHolder {
    private static final Path PROC_LOCKS = Path.of("/proc/locks");

    private LockHolder() {}

    /**
     * Returns the pid and command line of the process holding the lock of the LevelDB database in
     * {@code dir}, or null if that cannot be told (no lock, not Linux, not readable) or it is this
     * process (another of its maps, which serves LevelParty).
     */
    static String describe(Path dir) {
        try {
            Path lock = dir.resolve("LOCK");
            if (!Files.exists(lock, LinkOption.NOFOLLOW_LINKS) || !Files.isReadable(PROC_LOCKS)) {
                return null;
            }
            long inode = ((Number) Files.getAttribute(lock, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
            for (String line : Files.readAllLines(PROC_LOCKS, StandardCharsets.US_ASCII)) {
                // "1: POSIX  ADVISORY  WRITE 1234 fd:01:5678 0 EOF": the pid, then major:minor:inode
                String[] fields = line.trim().split("\\s+");
                if (fields.length >= 6 && fields[1].equals("POSIX") && inodeOf(fields[5]) == inode) {
                    long pid = Long.parseLong(fields[4]);
                    return pid == ThisProcess.PID ? null : "pid " + pid + commandLineOf(pid);
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // only a better message is lost
        }
    }

    /**
     * Returns whether another process holds the lock of the LevelDB database in {@code dir}, as a
     * lock attempt that does not wait tells; false if that cannot be told (no lock file yet, or
     * this user may not write it), for the open to find out. The caller must not hold the lock
     * itself, through any engine: the probe's lock, released at once, is this process's, and
     * releasing it would release LevelDB's too ({@code fcntl} locks belong to the process).
     */
    static boolean heldByAnotherProcess(Path dir) {
        // Read and write: opened for writing only, a FIFO put in its place would block the open.
        try (FileChannel lock = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe = lock.tryLock();
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }

    private static long inodeOf(String device) {
        int colon = device.lastIndexOf(':');
        return colon < 0 ? -1 : Long.parseLong(device.substring(colon + 1));
    }

    private static String commandLineOf(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String line = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            return line.isEmpty() ? "" : " (" + (line.length() > 200 ? line.substring(0, 200) + "…" : line) + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
