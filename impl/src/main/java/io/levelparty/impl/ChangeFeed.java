package io.levelparty.impl;

import io.levelparty.Subscription;
import io.levelparty.spi.ChangeListener;
import io.levelparty.spi.StoreWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's committed writes, numbered in commit order and passed to its change listeners
 * (the leader process's own subscriptions, and each subscribed follower's connection).
 *
 * <p>The store calls {@link #recording} and {@link #committed} under its write lock, which is what
 * makes the numbering the commit order. While nobody listens, writes are neither recorded nor
 * numbered: no listener could tell.
 */
final class ChangeFeed {
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);

    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    /** The number of the last write published. Guarded by the store's write lock. */
    private long sequence;

    Subscription subscribe(ChangeListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Returns {@code staging}, wrapped to record the changes staged through it if anyone listens. */
    WriteCommand.Staging recording(WriteCommand.Staging staging) {
        return listeners.isEmpty() ? staging : new Recording(staging);
    }

    /** Publishes the changes recorded by {@code staging}, from {@link #recording}, once they are committed. */
    void committed(WriteCommand.Staging staging) {
        if (!(staging instanceof Recording recording) || recording.writes.isEmpty()) {
            return;
        }
        long seq = ++sequence;
        List<StoreWrite> writes = List.copyOf(recording.writes);
        for (ChangeListener listener : listeners) {
            try {
                listener.onChanges(seq, writes);
            } catch (RuntimeException e) {
                log.warn("Change listener {} failed on write {}", listener, seq, e);
            }
        }
    }

    /** Stages through another staging and remembers what it staged. */
    private static final class Recording implements WriteCommand.Staging {
        private final WriteCommand.Staging target;
        private final List<StoreWrite> writes = new ArrayList<>(1);

        Recording(WriteCommand.Staging target) {
            this.target = target;
        }

        @Override
        public byte[] current(byte[] key) {
            return target.current(key);
        }

        @Override
        public void put(byte[] key, byte[] value) {
            target.put(key, value);
            writes.add(StoreWrite.put(key, value));
        }

        @Override
        public void delete(byte[] key) {
            target.delete(key);
            writes.add(StoreWrite.delete(key));
        }
    }
}
