package io.levelparty.tck.party;

/** Runs {@link PartyScenarioContract} with LevelParty's implementation in child JVMs. */
class LevelPartyScenarioTest extends PartyScenarioContract {}
