package io.levelparty.spi;

import io.levelparty.LevelParty;
import io.levelparty.PartyOptions;
import java.net.URI;

/**
 * Opens the stores of one URI scheme for {@link LevelParty#open(URI, PartyOptions)}, found with
 * {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/io.levelparty.spi.StoreProvider}. Its constructor should be cheap: every
 * provider on the class path is created when the first URI is opened.
 */
public interface StoreProvider {
    /** Returns the URI scheme this provider opens, in lower case, e.g. {@code "etcd"}. */
    String scheme();

    /**
     * Opens the store {@code uri} names, honouring {@code options}' timeouts where the store has
     * them; the map facade over it decodes values with {@code options}' codec.
     *
     * @throws IllegalArgumentException if {@code uri} is not a valid URI of this scheme
     * @throws io.levelparty.PartyUnavailableException if the store cannot be reached in time
     */
    PartyStore open(URI uri, PartyOptions<?> options);
}
