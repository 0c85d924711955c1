package io.levelparty;

/**
 * A snapshot of what a {@link PartyMap} did in this process ({@link PartyMap#stats()}). The cache
 * counts cover every term since the map was opened; they stay 0 while the cache is not in use
 * (in the leader, or with a cache size of 0).
 *
 * @param role this process's role now
 * @param leaderPid the process id of the current leader: this process's own when it leads
 * @param cacheHits point reads answered from the follower cache
 * @param cacheMisses point reads that asked the leader while the cache was in use
 * @param cacheEvictions entries the cache dropped to stay within its size
 * @param cacheEntries entries in the cache now (approximately)
 */
public record PartyStats(
        Role role, long leaderPid, long cacheHits, long cacheMisses, long cacheEvictions, long cacheEntries) {

    /** Returns the share of point reads answered from the cache, from 0 to 1 (0 with no reads). */
    public double cacheHitRatio() {
        long reads = cacheHits + cacheMisses;
        return reads == 0 ? 0 : (double) cacheHits / reads;
    }
}
