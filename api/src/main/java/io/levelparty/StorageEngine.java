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
     * {@link PartyUnavailableException} where its native library cannot load.
     */
    NATIVE,
    /**
     * A port of LevelDB to Java, which runs wherever Java does: slower than {@link #NATIVE} on
     * point reads, but with no native code at all.
     */
    JAVA
}
