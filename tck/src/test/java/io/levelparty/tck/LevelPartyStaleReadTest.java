package io.levelparty.tck;

import io.levelparty.Consistency;

/** Runs {@link StaleReadContract} with LevelParty's implementation in the worker JVMs. */
class LevelPartyStaleReadTest extends StaleReadContract {
    /**
     * The implementation's follower cache serves {@link Consistency#RELAXED} reads only (see
     * {@link io.levelparty.PartyOptions#cacheSize}): a STRICT run has no hit ratio to expect.
     */
    @Override
    protected double expectedMinimumHitRatio() {
        return options().consistency() == Consistency.RELAXED ? super.expectedMinimumHitRatio() : 0;
    }
}
