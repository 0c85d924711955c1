package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;

/** A leader for tests: a LocalStore in {@code dir/db} served at {@code dir/party.sock}. */
final class TestLeader implements AutoCloseable {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    final LocalStore store;
    final Path socket;
    final LeaderServer server;

    TestLeader(Path dir) throws IOException {
        store = LocalStore.tryOpen(dir.resolve("db"));
        assertNotNull(store, "the LevelDB lock is free");
        socket = dir.resolve("party.sock");
        store.fenceFormerLeases(UUID.randomUUID()); // as Election does before serving
        server = LeaderServer.start(store, socket, Set.of());
    }

    RemoteStore connect() throws IOException {
        return RemoteStore.connect(socket, REQUEST_TIMEOUT, UUID.randomUUID());
    }

    /** Closes in the leader's order: the server first, the store (and its lock) last. */
    @Override
    public void close() {
        server.close();
        store.close();
    }
}
