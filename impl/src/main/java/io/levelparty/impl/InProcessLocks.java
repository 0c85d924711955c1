package io.levelparty.impl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The directories this process has open as a leader, whichever engine opened them. LevelDB's lock
 * is an {@code fcntl} lock, which belongs to the process: it keeps other processes out, but not a
 * second open in this one, and closing any descriptor of the {@code LOCK} file drops it. Each
 * engine guards against its own second open, but not against the other engine's, so both ask here
 * first.
 */
final class InProcessLocks {
    private static final Set<Object> HELD = ConcurrentHashMap.newKeySet();

    private InProcessLocks() {}

    /**
     * Locks {@code dir} in this process, and returns the key to {@linkplain #unlock unlock} it with;
     * or null if this process has it locked already, under this path or another one (a link).
     */
    static Object tryLock(Path dir) {
        Object key = key(dir);
        return HELD.add(key) ? key : null;
    }

    /** Unlocks the directory {@link #tryLock} returned {@code key} for. */
    static void unlock(Object key) {
        HELD.remove(key);
    }

    /**
     * The identity of {@code dir}: its device and inode where the file system tells them, so that
     * two paths to one directory are one; otherwise its absolute path.
     */
    private static Object key(Path dir) {
        try {
            Object fileKey = Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
            if (fileKey != null) {
                return fileKey;
            }
        } catch (IOException e) {
            // not there yet, or not readable: its path it is
        }
        return dir.toAbsolutePath().normalize();
    }
}
