package io.levelparty.tck.party;

/** Runs {@link InterruptContract} with LevelParty's implementation, in a leader and a follower JVM. */
class LevelPartyInterruptTest extends InterruptContract {}
