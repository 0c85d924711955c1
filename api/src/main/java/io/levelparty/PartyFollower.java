package io.levelparty;

import java.time.Duration;

/**
 * A process following the leader of a party, as the leader sees it ({@link PartyMap#followers()}).
 *
 * @param pid its process id
 * @param uid its user id, from its socket's peer credentials
 * @param caching whether it holds a cache lease, so that it may answer reads from its cache
 * @param connected how long ago it connected to this leader
 */
public record PartyFollower(long pid, long uid, boolean caching, Duration connected) {}
