package io.levelparty;

/**
 * A snapshot of what a {@link PartyMap} did in this process ({@link PartyMap#stats()}), for an
 * operator: every count covers all the terms since the map was opened in this process. The cache
 * counts stay 0 while the cache is not in use (in the leader, or with a cache size of 0); the
 * leader's counts grow only while this process leads.
 *
 * @param role this process's role now
 * @param leaderPid the process id of the current leader: this process's own when it leads
 * @param cacheHits point reads answered from the follower cache
 * @param cacheMisses point reads that asked the leader while the cache was in use
 * @param cacheEvictions entries the cache dropped to stay within its size
 * @param cacheEntries entries in the cache now (approximately)
 * @param writes writes made through this map in this process (a batch counts once)
 * @param requestsServed requests of followers this process served while it led
 * @param leaseCutoffs followers' caches this process stopped waiting for while it led: a follower
 *     that did not acknowledge an invalidation in time, whose lease then ran out
 * @param failovers changes of leader this process went through (it was elected, or found the
 *     next leader, after losing the one it had)
 * @param lastFailoverMicros how long the last of those took, from losing the leader to serving
 *     calls again, in microseconds; -1 if there was none
 */
public record PartyStats(
        Role role, long leaderPid, long cacheHits, long cacheMisses, long cacheEvictions, long cacheEntries,
        long writes, long requestsServed, long leaseCutoffs, long failovers, long lastFailoverMicros) {

    /** The stats of a store that keeps no counts: its role and leader only. */
    public static PartyStats of(Role role, long leaderPid) {
        return new PartyStats(role, leaderPid, 0, 0, 0, 0, 0, 0, 0, 0, -1);
    }

    /** Returns the share of point reads answered from the cache, from 0 to 1 (0 with no reads). */
    public double cacheHitRatio() {
        long reads = cacheHits + cacheMisses;
        return reads == 0 ? 0 : (double) cacheHits / reads;
    }
}
