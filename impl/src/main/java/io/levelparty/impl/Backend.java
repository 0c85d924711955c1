package io.levelparty.impl;

import io.levelparty.Role;
import io.levelparty.spi.PartyStore;
import java.util.concurrent.Future;

/** What serves this process's calls for one term: the database itself, or the connection to its leader. */
interface Backend {
    /** Returns the store that calls go to. */
    PartyStore store();

    /** Returns the role this backend gives the process. */
    Role role();

    /** Releases the backend; for a leader, lets another process take over. */
    void close();

    /** This process holds the LevelDB lock and serves the others; {@code sweeps} are its record sweeps. */
    record Leadership(LocalStore store, LeaderServer server, Future<?> sweeps) implements Backend {
        @Override
        public Role role() {
            return Role.LEADER;
        }

        /**
         * Flushes LevelDB's memtable while still serving, stops serving, then closes LevelDB. The
         * order matters: the flush leaves the successor little log to replay, and costs the
         * followers nothing while this leader still answers them; the socket file is removed while
         * we still hold the lock, so it can only be ours; once LevelDB closes, the lock is free and
         * a successor may bind a fresh socket at the same path at once.
         */
        @Override
        public void close() {
            sweeps.cancel(false);
            try {
                store.flushForSuccessor();
            } catch (RuntimeException e) {
                // a failing flush only leaves more log to replay: the hand-over goes on
            }
            try {
                server.close();
            } finally {
                store.close();
            }
        }
    }

    /** Another process is the leader; calls travel over its socket. */
    record Followership(RemoteStore store) implements Backend {
        @Override
        public Role role() {
            return Role.FOLLOWER;
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
