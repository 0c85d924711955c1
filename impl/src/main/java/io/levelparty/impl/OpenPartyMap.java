package io.levelparty.impl;

import io.levelparty.PartyMap;
import io.levelparty.Role;
import io.levelparty.Subscription;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.StoreWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/** The {@link PartyMap} a caller gets from {@code LevelParty.open}: the whole-range view plus the lifecycle. */
final class OpenPartyMap<V> extends StoreMapView<V> implements PartyMap<V> {

    OpenPartyMap(PartyStore store, ValueCodec<V> values) {
        super(store, values, null, false, null, false, /* descending= */ false);
    }

    @Override
    public Role role() {
        return store.role();
    }

    @Override
    public Subscription onRoleChange(Consumer<Role> listener) {
        return store.onRoleChange(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public Batch<V> batch() {
        return new Batch<>() {
            private final List<StoreWrite> writes = new ArrayList<>();

            @Override
            public Batch<V> put(String key, V value) {
                writes.add(StoreWrite.put(Keys.encode(key), values.encode(key, value)));
                return this;
            }

            @Override
            public Batch<V> remove(String key) {
                writes.add(StoreWrite.delete(Keys.encode(key)));
                return this;
            }

            @Override
            public void apply() {
                store.batch(List.copyOf(writes));
            }
        };
    }

    @Override
    public void close() {
        store.close();
    }
}
