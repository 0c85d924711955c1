package io.levelparty.impl;

import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Numbers a client's writes for exactly-once delivery (see {@link ClientRecords}) and works out how far the client
 * has received their outcomes: up to just below the oldest write still waiting. The leader may
 * forget the outcomes of writes up to that mark.
 */
final class WriteNumbers {
    private final UUID client;
    /** Guarded by this. */
    private long last;
    /** Numbers handed out whose outcome has not arrived yet; guarded by this. */
    private final NavigableSet<Long> waiting = new TreeSet<>();

    WriteNumbers(UUID client) {
        this.client = client;
    }

    /** Returns the number of a new write, which waits until {@link #done}. */
    synchronized WriteId next() {
        long seq = ++last;
        waiting.add(seq);
        return new WriteId(client, seq, waiting.first() - 1);
    }

    /** Records that write {@code seq} has its outcome, or was given up: it will not be sent again. */
    synchronized void done(long seq) {
        waiting.remove(seq);
    }
}
