package io.levelparty.impl;

import io.levelparty.spi.KeyRange;
import io.levelparty.spi.StoreEntry;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A weakly consistent iterator over a view's entries, reading the store a page at a time.
 *
 * <p>Each page is read from one consistent state of the store; the next page starts strictly
 * after (or, descending, before) the last key of the previous one. So keys come in order and at
 * most once, memory is bounded by one page, and an iteration continues correctly whatever happened
 * to the store between pages — including a change of leader, since the next page is simply asked of
 * whoever serves the store then. Pages start small, because many iterations stop after a few
 * entries, and double up to {@link #MAX_PAGE}.
 *
 * <p>Only an empty page ends the range. A page with fewer entries than asked for may have been cut
 * short by size (the leader's byte limit per page, or the protocol's frame limit), so the range
 * may go on after it.
 */
final class EntryIterator<V> implements Iterator<Map.Entry<String, V>> {
    static final int MAX_PAGE = 256;
    private static final int FIRST_PAGE = 16;

    private final StoreMapView<V> map;
    private final boolean descending;
    /** The part of the range not yet fetched. */
    private KeyRange rest;
    private List<StoreEntry> page = List.of();
    private int next;
    private int pageSize = FIRST_PAGE;
    private boolean exhausted;
    private String lastReturned;

    EntryIterator(StoreMapView<V> map, KeyRange range, boolean descending) {
        this.map = map;
        this.rest = range;
        this.descending = descending;
    }

    @Override
    public boolean hasNext() {
        if (next < page.size()) {
            return true;
        }
        if (exhausted) {
            return false;
        }
        page = map.store.scan(rest, descending, pageSize);
        next = 0;
        if (page.isEmpty()) {
            exhausted = true;
            return false;
        }
        byte[] lastKey = page.get(page.size() - 1).key();
        rest = descending ? rest.below(lastKey) : rest.above(lastKey);
        pageSize = Math.min(MAX_PAGE, pageSize * 2);
        return true;
    }

    /** Returns the next entry as it is in the store, without decoding it. */
    private StoreEntry nextStoreEntry() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        StoreEntry e = page.get(next++);
        lastReturned = Keys.decode(e.key());
        return e;
    }

    @Override
    public Map.Entry<String, V> next() {
        return map.toEntry(nextStoreEntry());
    }

    @Override
    public void remove() {
        if (lastReturned == null) {
            throw new IllegalStateException("next() has not returned an entry since the last remove()");
        }
        map.remove(lastReturned);
        lastReturned = null;
    }

    /** Returns an iterator over the keys only: their values are never decoded. */
    Iterator<String> keys() {
        return new Projection<>() {
            @Override
            public String next() {
                nextStoreEntry();
                return lastReturned;
            }
        };
    }

    /** Returns an iterator over the values. */
    Iterator<V> values() {
        return new Projection<>() {
            @Override
            public V next() {
                StoreEntry e = nextStoreEntry();
                return map.values.decode(lastReturned, e.value());
            }
        };
    }

    private abstract class Projection<T> implements Iterator<T> {
        @Override
        public boolean hasNext() {
            return EntryIterator.this.hasNext();
        }

        @Override
        public void remove() {
            EntryIterator.this.remove();
        }
    }
}
