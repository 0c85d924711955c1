package io.levelparty.impl;

import io.levelparty.Change;
import io.levelparty.PartyFollower;
import io.levelparty.PartyMap;
import io.levelparty.PartyStats;
import io.levelparty.Role;
import io.levelparty.Subscription;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.StoreWrite;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The {@link PartyMap} a caller gets from {@code LevelParty.open}: the whole-range view plus the lifecycle. */
final class OpenPartyMap<V> extends StoreMapView<V> implements PartyMap<V> {

    private final Set<ChangeSubscriber<V>> subscribers = ConcurrentHashMap.newKeySet();

    /** The map's JMX bean, registered in the background; set once, right after construction; null once closed. */
    private volatile PartyMapBean bean;

    private OpenPartyMap(PartyStore store, PointReads reads, ValueCodec<V> values) {
        super(store, reads, values, null, false, null, false, /* descending= */ false);
    }

    /**
     * Returns the map over {@code store}, its JMX bean registered under {@code sourceKey} =
     * {@code source} (see {@link io.levelparty.PartyMapMXBean}).
     */
    static <V> OpenPartyMap<V> open(
            PartyStore store, PointReads reads, ValueCodec<V> values, String sourceKey, String source) {
        OpenPartyMap<V> map = new OpenPartyMap<>(store, reads, values);
        map.bean = PartyMapBean.register(map, sourceKey, source);
        return map;
    }

    @Override
    public Role role() {
        return store.role();
    }

    @Override
    public PartyStats stats() {
        return store.stats();
    }

    @Override
    public List<PartyFollower> followers() {
        return store.followers();
    }

    @Override
    public void backup(Path destination) {
        store.backup(Objects.requireNonNull(destination, "destination"));
    }

    @Override
    public void compact(String fromKey, String toKey) {
        store.compact(new KeyRange(fromKey == null ? null : Keys.encode(fromKey), true,
                toKey == null ? null : Keys.encode(toKey), false));
    }

    @Override
    public Subscription onRoleChange(Consumer<Role> listener) {
        return store.onRoleChange(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public Subscription subscribe(Consumer<? super Change<V>> listener) {
        return subscribe(null, false, null, false, listener);
    }

    @Override
    public Subscription subscribe(String fromKey, boolean fromInclusive, String toKey, boolean toInclusive,
            Consumer<? super Change<V>> listener) {
        Objects.requireNonNull(listener, "listener");
        if (fromKey != null && toKey != null && Keys.ORDER.compare(fromKey, toKey) > 0) {
            throw new IllegalArgumentException("fromKey \"" + fromKey + "\" is greater than toKey \"" + toKey + "\"");
        }
        KeyRange range = new KeyRange(fromKey == null ? null : Keys.encode(fromKey), fromInclusive,
                toKey == null ? null : Keys.encode(toKey), toInclusive);
        ChangeSubscriber<V> subscriber = new ChangeSubscriber<>(range, values, listener);
        subscribers.add(subscriber);
        try {
            subscriber.subscribeTo(store);
        } catch (RuntimeException e) {
            subscribers.remove(subscriber);
            throw e;
        }
        return () -> {
            subscribers.remove(subscriber);
            subscriber.close();
        };
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

    /** Closes the map and ends its subscriptions' threads. */
    @Override
    public void close() {
        PartyMapBean registered = bean;
        if (registered != null) {
            bean = null;
            registered.unregister();
        }
        try {
            store.close();
        } finally {
            for (ChangeSubscriber<V> subscriber : subscribers) {
                subscriber.close();
            }
            subscribers.clear();
        }
    }
}
