package io.levelparty.impl;

import io.levelparty.Change;
import io.levelparty.PartyCodecException;
import io.levelparty.PartyMap;
import io.levelparty.Subscription;
import io.levelparty.spi.ChangeListener;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.StoreWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription of {@link PartyMap#subscribe}: takes the store's changes to keys in its range
 * without ever blocking the store, and delivers them decoded to the user's listener on its own
 * thread.
 *
 * @param <V> the value type
 */
final class ChangeSubscriber<V> implements ChangeListener, Subscription {
    private static final Logger log = LoggerFactory.getLogger(ChangeSubscriber.class);

    /** One committed write's changes to keys in range. */
    private record Event(long sequence, List<StoreWrite> writes) {}

    private final KeyRange range;
    private final ValueCodec<V> values;
    private final Consumer<? super Change<V>> listener;
    private final Relay<Event> relay;
    private volatile Subscription source = () -> {};

    ChangeSubscriber(KeyRange range, ValueCodec<V> values, Consumer<? super Change<V>> listener) {
        this.range = range;
        this.values = values;
        this.listener = listener;
        this.relay = new Relay<>("levelparty-subscriber", PartyMap.SUBSCRIBER_QUEUE_CAPACITY, new Relay.Sink<>() {
            @Override
            public void accept(Event event) {
                deliver(event);
            }

            @Override
            public void gap(Change.GapReason reason) {
                tell(new Change.Gap<>(reason));
            }
        });
    }

    /** Starts taking changes from {@code store}. */
    void subscribeTo(PartyStore store) {
        try {
            source = store.subscribe(this);
        } catch (RuntimeException e) {
            relay.close();
            throw e;
        }
    }

    @Override
    public void onChanges(long sequence, List<StoreWrite> writes) {
        List<StoreWrite> inRange = writes;
        for (int i = 0; i < writes.size(); i++) {
            if (!range.contains(writes.get(i).key())) {
                inRange = new ArrayList<>(writes.size());
                for (StoreWrite write : writes) {
                    if (range.contains(write.key())) {
                        inRange.add(write);
                    }
                }
                break;
            }
        }
        if (!inRange.isEmpty()) {
            relay.offer(new Event(sequence, inRange));
        }
    }

    @Override
    public void onGap(Change.GapReason reason) {
        relay.gap(reason);
    }

    /** Stops the deliveries; changes still queued are dropped. Idempotent. */
    @Override
    public void close() {
        source.close();
        relay.close();
    }

    private void deliver(Event event) {
        for (StoreWrite write : event.writes()) {
            String key = Keys.decode(write.key());
            if (write.isDelete()) {
                tell(new Change.Remove<>(key, event.sequence()));
                continue;
            }
            V value;
            try {
                value = values.decode(key, write.value());
            } catch (PartyCodecException e) {
                log.warn("Skipping change {} of key \"{}\" for a subscriber: {}", event.sequence(), key, e.getMessage());
                continue;
            }
            tell(new Change.Put<>(key, value, event.sequence()));
        }
    }

    private void tell(Change<V> change) {
        try {
            listener.accept(change);
        } catch (RuntimeException | AssertionError e) {
            log.warn("A change listener failed on {}; delivery goes on", change, e);
        }
    }
}
