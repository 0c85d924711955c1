package io.levelparty;

import io.levelparty.spi.PartyProvider;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.StoreProvider;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
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

    /**
     * Opens the map {@code uri} names with {@code codec} and default options; see
     * {@link #open(URI, PartyOptions)}.
     */
    public static <V> PartyMap<V> open(URI uri, Codec<V> codec) {
        return open(uri, PartyOptions.of(codec));
    }

    /**
     * Opens the map {@code uri} names: a {@code file:} URI is a local LevelDB directory, opened as
     * {@link #open(Path, PartyOptions)} does; any other scheme is opened by the
     * {@link StoreProvider} on the class path that claims it (for {@code etcd://host:port/prefix},
     * add {@code io.levelparty:levelparty-etcd}), and the map is the full facade over its store,
     * as {@link #open(PartyStore, PartyOptions)} gives it.
     *
     * @throws IllegalArgumentException if no provider on the class path opens the URI's scheme
     * @throws PartyUnavailableException if the store cannot be opened or reached in time
     */
    public static <V> PartyMap<V> open(URI uri, PartyOptions<V> options) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("file")) {
            return open(Path.of(uri), options);
        }
        List<String> known = new ArrayList<>(List.of("file"));
        for (StoreProvider provider : ServiceLoader.load(StoreProvider.class, LevelParty.class.getClassLoader())) {
            if (provider.scheme().equals(scheme)) {
                return open(provider.open(uri, options), options);
            }
            known.add(provider.scheme());
        }
        throw new IllegalArgumentException("No store provider on the class path opens " + uri + ": the schemes "
                + "known are " + known + (scheme.equals("etcd") ? "; add io.levelparty:levelparty-etcd" : ""));
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
