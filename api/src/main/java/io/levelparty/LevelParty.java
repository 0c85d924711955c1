package io.levelparty;

import io.levelparty.spi.PartyProvider;
import io.levelparty.spi.PartyStore;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Opens a LevelDB directory that many processes may use at once.
 *
 * <pre>{@code
 * try (PartyMap<String> db = LevelParty.open(Path.of("data"), Codecs.utf8())) {
 *     db.put("greeting", "hello");
 * }
 * }</pre>
 *
 * <p>The first process to open a directory becomes its {@linkplain Role#LEADER leader}; every other
 * process becomes a {@linkplain Role#FOLLOWER follower} and reaches the data through the leader.
 * The implementation is found with {@link ServiceLoader} as a {@link PartyProvider}; add
 * {@code io.levelparty:levelparty-impl} to the class path.
 */
public final class LevelParty {
    private LevelParty() {}

    /**
     * Opens {@code dir} with {@code codec} and default options, creating the directory and its
     * parents if missing.
     *
     * @throws PartyUnavailableException if the directory cannot be opened or created, or no leader
     *     could be reached or elected within the {@linkplain PartyOptions#openTimeout open timeout}
     */
    public static <V> PartyMap<V> open(Path dir, Codec<V> codec) {
        return open(dir, PartyOptions.of(codec));
    }

    /**
     * Opens {@code dir} with {@code options}, creating the directory and its parents if missing.
     *
     * @throws PartyUnavailableException if the directory cannot be opened or created, or no leader
     *     could be reached or elected within the {@linkplain PartyOptions#openTimeout open timeout}
     */
    public static <V> PartyMap<V> open(Path dir, PartyOptions<V> options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        return provider().open(dir, options);
    }

    /**
     * Returns the full map facade over a store of your own: every view, iterator, atomic
     * operation, subscription and codec of a {@link PartyMap}, with {@code options}' codec. The
     * store alone decides where the data lives, who shares it, and how long a call may take, so
     * the options that configure LevelParty's own LevelDB party ({@linkplain PartyOptions#cacheSize
     * cache}, {@linkplain PartyOptions#consistency consistency}, timeouts, socket path and allowed
     * users) are not used. The map's {@link PartyMap#role()} and {@link PartyMap#stats()} are the
     * store's; {@link PartyMap#subscribe} works if the store {@linkplain PartyStore#subscribe
     * publishes its changes}. Closing the map closes the store.
     *
     * <p>This is how a store of another engine becomes a {@code PartyMap}, and how the TCK's
     * contracts run against it. The store must keep the {@link PartyStore} contract: bytewise
     * key order, reserved keys beginning with {@code 0xFF} never returned, atomic single-key
     * writes and batches.
     */
    public static <V> PartyMap<V> open(PartyStore store, PartyOptions<V> options) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(options, "options");
        return provider().open(store, options);
    }

    static PartyProvider provider() {
        return ProviderHolder.PROVIDER;
    }

    private static final class ProviderHolder {
        static final PartyProvider PROVIDER = load();

        private static PartyProvider load() {
            Iterator<PartyProvider> found = ServiceLoader.load(PartyProvider.class, LevelParty.class.getClassLoader())
                    .iterator();
            if (!found.hasNext()) {
                throw new IllegalStateException("No " + PartyProvider.class.getName()
                        + " on the class path: add io.levelparty:levelparty-impl");
            }
            return found.next();
        }
    }
}
