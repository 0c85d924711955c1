package io.levelparty.impl;

import io.levelparty.Codec;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.PartyUnavailableException;
import io.levelparty.spi.PartyProvider;
import java.nio.file.Path;

/** The implementation of {@link io.levelparty.LevelParty}, registered for {@link java.util.ServiceLoader}. */
public final class LevelPartyProvider implements PartyProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public LevelPartyProvider() {}

    @Override
    public <V> PartyMap<V> open(Path dir, PartyOptions<V> options) {
        Path absolute = dir.toAbsolutePath().normalize();
        LocalStore store = LocalStore.tryOpen(absolute);
        if (store == null) {
            throw new PartyUnavailableException("The LevelDB lock of " + absolute + " is held by another open map", null);
        }
        return new OpenPartyMap<>(store, new ValueCodec<>(options.codec()));
    }

    @Override
    public <T> Codec<T> jsonCodec(Class<T> type) {
        return new JsonCodec<>(type);
    }
}
