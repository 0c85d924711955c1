package io.levelparty.tck;

import io.levelparty.PartyClosedException;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A {@link PartyStore} of a user's own, in memory: a {@link TreeMap} in unsigned byte order under
 * one lock. It is what {@code LevelParty.open(PartyStore, PartyOptions)} turns into a full map,
 * so the contracts check that door with a store LevelParty did not write.
 */
final class MemoryStore implements PartyStore {
    private final NavigableMap<byte[], byte[]> entries = new TreeMap<>(Arrays::compareUnsigned);
    private boolean closed;

    @Override
    public synchronized byte[] get(byte[] key) {
        checkOpen();
        return entries.get(checkKey(key));
    }

    @Override
    public synchronized byte[] put(byte[] key, byte[] value) {
        checkOpen();
        return entries.put(checkKey(key).clone(), Objects.requireNonNull(value, "value").clone());
    }

    @Override
    public synchronized byte[] delete(byte[] key) {
        checkOpen();
        return entries.remove(checkKey(key));
    }

    @Override
    public synchronized boolean compareAndSet(byte[] key, byte[] expected, byte[] update) {
        checkOpen();
        if (!Arrays.equals(entries.get(checkKey(key)), expected)) {
            return false;
        }
        if (update == null) {
            entries.remove(key);
        } else {
            entries.put(key.clone(), update.clone());
        }
        return true;
    }

    @Override
    public synchronized void batch(List<StoreWrite> writes) {
        checkOpen();
        writes.forEach(w -> checkKey(w.key()));
        for (StoreWrite write : writes) {
            if (write.isDelete()) {
                entries.remove(write.key());
            } else {
                entries.put(write.key().clone(), write.value().clone());
            }
        }
    }

    @Override
    public synchronized StoreEntry navigate(byte[] key, Relation relation) {
        checkOpen();
        Map.Entry<byte[], byte[]> found;
        if (key == null) {
            found = relation.ascending() ? entries.firstEntry() : entries.lastEntry();
        } else {
            found = switch (relation) {
                case CEILING -> entries.ceilingEntry(key);
                case HIGHER -> entries.higherEntry(key);
                case FLOOR -> entries.floorEntry(key);
                case LOWER -> entries.lowerEntry(key);
            };
        }
        return found == null ? null : new StoreEntry(found.getKey(), found.getValue());
    }

    @Override
    public synchronized List<StoreEntry> scan(KeyRange range, boolean descending, int limit) {
        checkOpen();
        List<StoreEntry> page = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : view(range, descending).entrySet()) {
            if (page.size() == limit) {
                break;
            }
            page.add(new StoreEntry(e.getKey(), e.getValue()));
        }
        return page;
    }

    @Override
    public synchronized long count(KeyRange range) {
        checkOpen();
        return view(range, false).size();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private NavigableMap<byte[], byte[]> view(KeyRange range, boolean descending) {
        if (range.isEmpty()) {
            return new TreeMap<>();
        }
        NavigableMap<byte[], byte[]> view = entries;
        if (range.low() != null) {
            view = view.tailMap(range.low(), range.lowInclusive());
        }
        if (range.high() != null) {
            view = view.headMap(range.high(), range.highInclusive());
        }
        return descending ? view.descendingMap() : view;
    }

    private void checkOpen() {
        if (closed) {
            throw new PartyClosedException("The memory store is closed");
        }
    }

    /** Refuses the reserved keys, as the store contract asks of every store. */
    private static byte[] checkKey(byte[] key) {
        if (key.length > 0 && key[0] == (byte) 0xFF) {
            throw new IllegalArgumentException("keys beginning with 0xFF are reserved");
        }
        return key;
    }
}
