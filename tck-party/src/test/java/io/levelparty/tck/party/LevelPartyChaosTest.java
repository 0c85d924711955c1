package io.levelparty.tck.party;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Runs {@link FailoverChaosContract} with LevelParty's implementation in the worker JVMs, on a
 * LevelDB directory: each kill is the leading worker's.
 */
class LevelPartyChaosTest extends FailoverChaosContract {
    @Override
    protected URI newMap(Path tmp) {
        return tmp.resolve("db").toUri();
    }

    @Override
    protected void killLeader() throws InterruptedException, IOException {
        killLeadingWorker();
    }
}
