package io.levelparty.impl;

import java.util.UUID;

/**
 * The number a follower gives one of its writes, so that a copy resent after a failover is applied
 * once (see {@link ClientRecords}).
 *
 * @param client the client incarnation: random for each open map
 * @param seq the write's number, from 1 up, the same in every copy of the write
 * @param ackedUpTo the client has the outcome of every write numbered up to this one, so their
 *     records may go
 */
record WriteId(UUID client, long seq, long ackedUpTo) {}
