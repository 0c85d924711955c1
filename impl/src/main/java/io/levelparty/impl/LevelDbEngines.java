package io.levelparty.impl;

import io.levelparty.PartyUnavailableException;
import io.levelparty.StorageEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the LevelDB engine a process leads with: the system property {@value #PROPERTY}
 * ({@code native}, {@code java} or {@code auto}) if set, else the map's
 * {@link io.levelparty.PartyOptions#engine}; {@link StorageEngine#AUTO} is native where
 * leveldbjni's library loads, and Java elsewhere, said once per process at INFO level.
 */
final class LevelDbEngines {
    /** The system property that overrides every map's choice of engine. */
    static final String PROPERTY = "levelparty.leveldb";

    private static final Logger log = LoggerFactory.getLogger(LevelDbEngines.class);
    private static final AtomicBoolean FALLBACK_REPORTED = new AtomicBoolean();

    private LevelDbEngines() {}

    /** Why leveldbjni's native library does not load here, or null if it does; found out once, when first asked. */
    private static final class NativeLibrary {
        static final Throwable FAILURE = tryLoad();

        private static Throwable tryLoad() {
            try {
                NativeLevelDb.load();
                return null;
            } catch (LinkageError e) {
                return e;
            }
        }
    }

    /**
     * Returns the engine to lead with when the map asks for {@code requested}: {@link StorageEngine#NATIVE}
     * or {@link StorageEngine#JAVA}, never {@code AUTO}.
     *
     * @throws PartyUnavailableException if the native engine is asked for and cannot load
     * @throws IllegalArgumentException if the system property names no engine
     */
    static StorageEngine resolve(StorageEngine requested) {
        StorageEngine wanted = fromProperty(requested);
        Throwable nativeFailure = NativeLibrary.FAILURE;
        switch (wanted) {
            case NATIVE:
                if (nativeFailure != null) {
                    throw new PartyUnavailableException("The native LevelDB engine was asked for, but leveldbjni's library "
                            + "does not load on this platform (" + nativeFailure.getMessage() + "); ask for "
                            + StorageEngine.AUTO + " or " + StorageEngine.JAVA + " instead", nativeFailure);
                }
                return StorageEngine.NATIVE;
            case JAVA:
                return StorageEngine.JAVA;
            default:
                if (nativeFailure == null) {
                    return StorageEngine.NATIVE;
                }
                if (FALLBACK_REPORTED.compareAndSet(false, true)) {
                    log.info("LevelDB runs on the Java engine: leveldbjni's native library does not load on this "
                            + "platform ({})", nativeFailure.getMessage());
                }
                return StorageEngine.JAVA;
        }
    }

    /**
     * Returns the engine a map that asks for {@code requested} will lead with, as far as can be
     * told without loading leveldbjni's library: {@link StorageEngine#AUTO} stays undecided until
     * the process first competes for a lock (a follower never loads the library: its loading costs
     * a fresh process 25 to 35 ms, and leaves a copy of it in the temporary directory if the
     * process is killed). An explicit NATIVE is checked now, so that the open fails at once.
     *
     * @throws PartyUnavailableException if the native engine is asked for and cannot load
     * @throws IllegalArgumentException if the system property names no engine
     */
    static StorageEngine checkRequested(StorageEngine requested) {
        StorageEngine wanted = fromProperty(requested);
        return wanted == StorageEngine.AUTO ? wanted : resolve(wanted);
    }

    private static StorageEngine fromProperty(StorageEngine requested) {
        String property = System.getProperty(PROPERTY);
        if (property == null || property.isBlank()) {
            return requested;
        }
        try {
            return StorageEngine.valueOf(property.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The system property " + PROPERTY + " is \"" + property
                    + "\"; it may be native, java or auto", e);
        }
    }

    /**
     * Opens the database in {@code dir} with {@code engine} (native or Java), creating it if
     * missing; if {@code mustBeNew}, fails unless it is created. {@code writeBufferBytes} is the
     * memtable's size.
     *
     * @throws LockUnavailableException if the directory's lock is held or may not be taken
     */
    static LevelDb open(StorageEngine engine, Path dir, boolean mustBeNew, long writeBufferBytes) throws IOException {
        return engine == StorageEngine.NATIVE
                ? NativeLevelDb.open(dir, mustBeNew, writeBufferBytes)
                : JavaLevelDb.open(dir, mustBeNew, writeBufferBytes);
    }
}
