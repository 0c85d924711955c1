package io.levelparty.tck;

import io.levelparty.PartyOptions;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.StoreProvider;
import java.net.URI;

/** Opens {@code memory:} URIs: a new {@link MemoryStore} each time, to test the URI door. */
public final class MemoryStoreProvider implements StoreProvider {
    public MemoryStoreProvider() {}

    @Override
    public String scheme() {
        return "memory";
    }

    @Override
    public PartyStore open(URI uri, PartyOptions<?> options) {
        return new MemoryStore();
    }
}
