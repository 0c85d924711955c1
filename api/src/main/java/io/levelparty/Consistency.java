package io.levelparty;

/**
 * What a follower's reads promise ({@link PartyOptions#consistency}).
 */
public enum Consistency {
    /**
     * Linearizable, the default: every read returns the value of the latest write acknowledged
     * anywhere before the read began, or of a write in progress.
     *
     * <p>Point reads ({@code get} and the methods built on it) may be served from the follower's
     * cache (see {@link PartyOptions#cacheSize}) all the same, because the leader applies a write
     * only once every follower that may cache one of its keys has dropped them, or can no longer
     * serve from its cache:
     * <ul>
     *   <li>a caching follower holds a lease of 100 ms, renewed by the leader every 20 ms, and
     *       serves cached values only while the lease is fresh; a follower that is stopped or
     *       stalls simply stops using its cache. It takes the lease at its first point read under
     *       a leader (that read, and those until the lease is granted, go to the leader): one
     *       that only writes holds none;
     *   <li>before applying a write, the leader sends its keys to the other followers that may
     *       cache them (those that read a key hashing like them since the last write to such a
     *       key: a follower that acknowledges drops all of those), and waits for their
     *       acknowledgements; a follower that does not acknowledge within
     *       250 ms is cut off (it reconnects by itself, with an empty cache), and the leader then
     *       waits until its lease has run out;
     *   <li>a write to keys that no other follower has read since they were last written costs
     *       no round trip; one to keys that followers may cache costs one round trip to each of
     *       them, shared by the writes a follower has in flight together.
     * </ul>
     * That round trip is what caching costs: where many processes write and reads seldom repeat
     * a key, the cache saves little and the writes wait, so {@code cacheSize(0)} (or
     * {@link #RELAXED}) is faster; {@code BENCHMARKS.md} measures both.
     * A follower's cache is emptied whenever it loses the leader, and is not used while it leads.
     * A follower takes its lease in the background once it has reached a leader, so that its calls
     * need not wait for it: until the lease is granted (about a round trip), it reads uncached.
     * The lease is timed with {@code System.nanoTime()}, which all processes on a Linux machine
     * read from the same clock; a follower that finds the leader's clock differs from its own
     * (in another time namespace) reads uncached. A leader grants at most 64 leases at a time;
     * further followers read uncached.
     */
    STRICT,
    /**
     * Point reads ({@code get} and the methods built on it) may be served from the follower's
     * cache (see {@link PartyOptions#cacheSize}), which drops a key as soon as the leader's push
     * of a change to it arrives; writes never wait for other followers. Guarantees:
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
