package io.levelparty.tck.party;

/** Runs {@link LeaderLossContract} with LevelParty's implementation, in this JVM and in child JVMs. */
class LevelPartyLeaderLossTest extends LeaderLossContract {}
