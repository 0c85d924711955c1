package io.levelparty.etcd;

import io.levelparty.PartyOptions;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.StoreProvider;
import java.net.URI;

/**
 * Opens {@code etcd://host:port[,host:port…]/key/prefix} URIs as {@link EtcdStore}s, for
 * {@link io.levelparty.LevelParty#open(URI, PartyOptions)}.
 *
 * <p>The hosts are client endpoints of one etcd v3 cluster (a port left out is 2379); the client
 * sends each request to one of them and moves to another when one fails. The path names the map:
 * every map key is stored under the path's UTF-8 bytes followed by a zero byte, so maps with
 * different paths never share keys, and every process that opens the same path on the same cluster
 * shares the same map. The options' {@linkplain PartyOptions#openTimeout open timeout} bounds the
 * first contact, their {@linkplain PartyOptions#requestTimeout request timeout} each call; with
 * {@link io.levelparty.Consistency#RELAXED RELAXED} {@linkplain PartyOptions#consistency
 * consistency}, point reads are served from a cache of {@linkplain PartyOptions#cacheSize cache
 * size} entries (see {@link EtcdStore}); the socket and user options do not apply.
 */
public final class EtcdStoreProvider implements StoreProvider {
    /** Creates the provider; it holds nothing until a URI is opened. */
    public EtcdStoreProvider() {}

    /** Returns {@code "etcd"}. */
    @Override
    public String scheme() {
        return "etcd";
    }

    /**
     * Connects to the etcd cluster {@code uri} names and returns the store of its path.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code uri}
     * @throws io.levelparty.PartyUnavailableException naming the endpoints and the last error, if no
     *     endpoint answers within the open timeout
     */
    @Override
    public PartyStore open(URI uri, PartyOptions<?> options) {
        return EtcdStore.open(EtcdAddress.parse(uri), options);
    }
}
