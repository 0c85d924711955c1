package io.levelparty.impl;

import io.levelparty.Codec;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.PartyUnavailableException;
import io.levelparty.spi.PartyProvider;
import io.levelparty.spi.PartyStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The implementation of {@link io.levelparty.LevelParty}, registered for {@link java.util.ServiceLoader}. */
public final class LevelPartyProvider implements PartyProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public LevelPartyProvider() {}

    @Override
    public <V> PartyMap<V> open(Path dir, PartyOptions<V> options) {
        SocketLibrary.preferPrivateCopy(); // before any socket: junixsocket loads its library once per process
        try {
            SocketLibrary.ensureLoaded();
            Path canonical = canonicalDirectory(dir);
            Path socket = options.socketPath().orElseGet(() -> SocketPaths.forDirectory(canonical));
            ValueCodec<V> values = new ValueCodec<>(options.codec());
            FollowerCache cache = options.cacheSize() > 0
                    ? new FollowerCache(options.cacheSize(), options.consistency(), values) : null;
            Election election = new Election(canonical, socket, options.requestTimeout(), options.allowedUids(),
                    ThisProcess.newClientId(), options.syncWrites(), cache,
                    LevelDbEngines.checkRequested(options.engine()));
            ElectedStore store = ElectedStore.open(election, options.openTimeout(), options.requestTimeout());
            return OpenPartyMap.open(store, store, values, "directory", canonical.toString());
        } finally {
            SocketLibrary.forgetPrivateCopy();
        }
    }

    @Override
    public <V> PartyMap<V> open(PartyStore store, PartyOptions<V> options) {
        return OpenPartyMap.open(store, PointReads.of(store), new ValueCodec<>(options.codec()), "store",
                store.getClass().getName());
    }

    /**
     * Creates {@code dir} and its parents if missing and returns its canonical path, which every
     * process opening it agrees on whatever path it was given (relative, through links).
     */
    private static Path canonicalDirectory(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new PartyUnavailableException("Cannot open " + dir.toAbsolutePath() + ": it is not a directory", null);
        }
        try {
            return Files.createDirectories(dir).toRealPath();
        } catch (IOException e) {
            throw new PartyUnavailableException("Cannot create directory " + dir.toAbsolutePath() + ": " + e, e);
        }
    }

    @Override
    public <T> Codec<T> jsonCodec(Class<T> type) {
        return new JsonCodec<>(type);
    }
}
