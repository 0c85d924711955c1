package io.levelparty.tck;

/** Runs {@link FailoverChaosContract} with LevelParty's implementation in the worker JVMs. */
class LevelPartyChaosTest extends FailoverChaosContract {}
