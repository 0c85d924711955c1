package io.levelparty;

/**
 * What a follower's reads promise ({@link PartyOptions#consistency}).
 */
public enum Consistency {
    /**
     * Linearizable, the default: every read returns the value of the latest write acknowledged
     * anywhere before the read began. A follower asks the leader for every read.
     */
    STRICT,
    /**
     * Point reads ({@code get} and the methods built on it) may be served from the follower's
     * cache (see {@link PartyOptions#cacheSize}), which drops a key as soon as the leader's push
     * of a change to it arrives. Guarantees:
     * <ul>
     *   <li>read-your-writes: once a write of this process returns, this process reads that write
     *       or a later one;
     *   <li>eventual: a write by another process stops this process from reading older values once
     *       the leader's push of it arrives, about one socket hop after the write (well under a
     *       millisecond on an idle machine, with no upper bound on a busy one or while this process
     *       is stopped);
     *   <li>a leader that cannot push changes to a follower fast enough tells it so, and the
     *       follower empties its cache; so does a follower whose leader changes.
     * </ul>
     * Reads may therefore miss a write another process has already seen acknowledged, and two
     * reads of one key from different threads may see its values out of order. Navigation, scans
     * and atomic operations always ask the leader.
     */
    RELAXED
}
