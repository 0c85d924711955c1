package io.levelparty.tck;

/** Runs {@link PartyScenarioContract} with LevelParty's implementation in child JVMs. */
class LevelPartyScenarioTest extends PartyScenarioContract {}
