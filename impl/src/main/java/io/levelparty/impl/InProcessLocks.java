package io.levelparty.impl;

import java.nio.file.Path;
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
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private InProcessLocks() {}

    /** Returns whether this process had not locked {@code dir}, and locks it. */
    static boolean tryLock(Path dir) {
        return HELD.add(key(dir));
    }

    /** Unlocks {@code dir}, which {@link #tryLock} locked. */
    static void unlock(Path dir) {
        HELD.remove(key(dir));
    }

    private static Path key(Path dir) {
        return dir.toAbsolutePath().normalize();
    }
}
