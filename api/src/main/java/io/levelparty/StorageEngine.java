package io.levelparty;

/**
 * Which LevelDB a leader opens its directory with ({@link PartyOptions#engine}). Both engines read
 * and write the same files, take the same lock on the directory's {@code LOCK} file, and give a
 * map the same behaviour, so processes using different engines share one directory: whichever
 * takes the lock leads, the others follow, and any of them may take over after it.
 *
 * <p>The system property {@code levelparty.leveldb}, set to {@code native} or {@code java},
 * overrides the setting of every map the process opens.
 */
public enum StorageEngine {
    /**
     * The default: {@link #NATIVE} where its native library loads on this platform, else
     * {@link #JAVA}, which the process then reports once, at INFO level, with the reason.
     */
    AUTO,
    /**
     * LevelDB itself, the C++ library inside leveldbjni: the fastest. Opening a directory throws
     * {@link PartyUnavailableException} where its native library cannot load. It writes its files
     * through {@code mmap}: LevelParty keeps a reserve of free space for it (see {@link PartyMap}),
     * but should another program fill the filesystem to the last byte while this LevelDB is
     * writing, the process dies of SIGBUS; nothing acknowledged is lost, and another process takes
     * the lead once space is free.
     */
    NATIVE,
    /**
     * A port of LevelDB to Java, which runs wherever Java does: slower than {@link #NATIVE} on
     * point reads, but with no native code at all, and a filesystem that fills up is an error
     * there, not the end of the process.
     */
    JAVA
}
