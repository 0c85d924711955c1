package io.levelparty.tck.party;

/** Runs {@link StaleReadContract} with LevelParty's implementation in the worker JVMs. */
class LevelPartyStaleReadTest extends StaleReadContract {}
