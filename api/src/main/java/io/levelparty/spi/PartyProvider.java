package io.levelparty.spi;

import io.levelparty.Codec;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import java.nio.file.Path;

/**
 * The implementation behind {@link LevelParty}, found with {@link java.util.ServiceLoader}: list the
 * implementing class in {@code META-INF/services/io.levelparty.spi.PartyProvider}.
 */
public interface PartyProvider {
    /** Opens {@code dir} as {@link LevelParty#open(Path, PartyOptions)} documents. */
    <V> PartyMap<V> open(Path dir, PartyOptions<V> options);

    /** Returns a map over {@code store} as {@link LevelParty#open(PartyStore, PartyOptions)} documents. */
    <V> PartyMap<V> open(PartyStore store, PartyOptions<V> options);

    /** Returns the codec behind {@link io.levelparty.Codecs#json(Class)}. */
    <T> Codec<T> jsonCodec(Class<T> type);
}
