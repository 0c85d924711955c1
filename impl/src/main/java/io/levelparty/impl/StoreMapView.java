package io.levelparty.impl;

import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@link ConcurrentNavigableMap} over any {@link PartyStore}: the whole map, or a range of it,
 * in ascending or descending order.
 *
 * <p>Implementation notes. A view is the store plus bounds {@code lo}/{@code hi}, always in
 * ascending terms, and a {@code descending} flag, as in {@code ConcurrentSkipListMap.SubMap}, whose
 * behaviour at the bounds (which calls throw {@link IllegalArgumentException} for keys out of
 * range, and which quietly answer "absent") this class copies. Bounds are checked on strings with
 * {@link Keys#ORDER}; the store is given the same bounds as bytes ({@link #range}).
 *
 * <p>Atomic operations are compare-and-set loops on the encoded bytes: read the current bytes,
 * decide, and set only if they are still the same, else read again. That makes them atomic across
 * every process sharing the store, since the store's compare-and-set is. Functions passed to
 * {@code compute}-style methods may therefore run more than once.
 *
 * <p>Iterators read pages of entries ({@link EntryIterator}) and continue after the last key
 * returned, which makes them weakly consistent and bounded in memory.
 */
class StoreMapView<V> extends AbstractMap<String, V> implements ConcurrentNavigableMap<String, V> {
    /**
     * What every view's spliterator promises, as {@code ConcurrentSkipListMap}'s do: this view's
     * order, no nulls, and safe use while the map changes.
     */
    static final int ITERATION = Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.CONCURRENT;

    final PartyStore store;
    /** Reads of one key by its string, through a follower's cache where the store has one. */
    private final PointReads reads;
    final ValueCodec<V> values;
    private final String lo;
    private final boolean loInclusive;
    private final String hi;
    private final boolean hiInclusive;
    private final boolean descending;
    /** The bounds as bytes, for the store. */
    private final KeyRange range;

    StoreMapView(PartyStore store, PointReads reads, ValueCodec<V> values, String lo, boolean loInclusive, String hi,
            boolean hiInclusive, boolean descending) {
        if (lo != null && hi != null && Keys.ORDER.compare(lo, hi) > 0) {
            throw new IllegalArgumentException("Inconsistent range: \"" + lo + "\" is above \"" + hi + "\"");
        }
        this.store = store;
        this.reads = reads;
        this.values = values;
        this.lo = lo;
        this.loInclusive = loInclusive;
        this.hi = hi;
        this.hiInclusive = hiInclusive;
        this.descending = descending;
        this.range = new KeyRange(lo == null ? null : Keys.encode(lo), loInclusive,
                hi == null ? null : Keys.encode(hi), hiInclusive);
    }

    // ---- bounds

    private boolean tooLow(String key) {
        if (lo == null) {
            return false;
        }
        int c = Keys.ORDER.compare(key, lo);
        return c < 0 || (c == 0 && !loInclusive);
    }

    private boolean tooHigh(String key) {
        if (hi == null) {
            return false;
        }
        int c = Keys.ORDER.compare(key, hi);
        return c > 0 || (c == 0 && !hiInclusive);
    }

    private boolean inRange(String key) {
        return !tooLow(key) && !tooHigh(key);
    }

    /** Returns the key's bytes if it lies in this view, or null; a null or non-string key throws. */
    private byte[] keyInRange(Object key) {
        byte[] bytes = Keys.encode(key);
        return inRange((String) key) ? bytes : null;
    }

    /** Returns the key's bytes; a key outside this view throws {@link IllegalArgumentException}. */
    private byte[] keyToWrite(Object key) {
        byte[] bytes = Keys.encode(key);
        if (!inRange((String) key)) {
            throw new IllegalArgumentException("Key \"" + key + "\" is out of this view's range " + rangeText());
        }
        return bytes;
    }

    private String rangeText() {
        return (lo == null ? "(-inf" : (loInclusive ? "[\"" : "(\"") + lo + "\"") + ", "
                + (hi == null ? "+inf)" : "\"" + hi + (hiInclusive ? "\"]" : "\")"));
    }

    // ---- reads

    /**
     * {@inheritDoc} A follower's cache is looked up by the string key itself, so that a hit costs
     * neither encoding the key nor, for a codec of immutable values, decoding the value.
     */
    @Override
    public V get(Object key) {
        String k = (String) Objects.requireNonNull(key, "key");
        if (!inRange(k)) {
            byte[] bytes = keyInRange(key);
            return bytes == null ? null : values.decode(key, store.get(bytes));
        }
        FollowerCache.Entry cached = reads.cached(k);
        if (cached != null) { // only keys that encode were cached
            return values.decode(key, cached);
        }
        return values.decode(key, reads.fetch(k, Keys.encode(k)));
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public boolean containsValue(Object value) {
        Objects.requireNonNull(value, "value");
        for (Iterator<V> it = values().iterator(); it.hasNext(); ) {
            if (value.equals(it.next())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int size() {
        return (int) Math.min(store.count(range), Integer.MAX_VALUE);
    }

    @Override
    public boolean isEmpty() {
        return lowest() == null;
    }

    // ---- writes

    @Override
    public V put(String key, V value) {
        byte[] k = keyToWrite(key);
        return values.decodePrevious(key, store.put(k, values.encode(key, value)));
    }

    @Override
    public V remove(Object key) {
        byte[] k = keyInRange(key);
        return k == null ? null : values.decodePrevious(key, store.delete(k));
    }

    @Override
    public void clear() {
        KeyRange rest = range;
        while (true) {
            List<StoreEntry> page = store.scan(rest, false, EntryIterator.MAX_PAGE);
            if (page.isEmpty()) {
                return;
            }
            List<StoreWrite> deletes = new ArrayList<>(page.size());
            for (StoreEntry e : page) {
                deletes.add(StoreWrite.delete(e.key()));
            }
            store.batch(deletes);
            rest = rest.above(page.get(page.size() - 1).key());
        }
    }

    @Override
    public V putIfAbsent(String key, V value) {
        byte[] k = keyToWrite(key);
        byte[] update = values.encode(key, value);
        while (true) {
            if (store.compareAndSet(k, null, update)) {
                return null;
            }
            byte[] current = store.get(k);
            if (current != null) {
                return values.decode(key, current);
            }
        }
    }

    @Override
    public boolean remove(Object key, Object value) {
        byte[] k = keyInRange(key);
        if (k == null || value == null) {
            return false;
        }
        while (true) {
            byte[] current = store.get(k);
            if (current == null || !value.equals(values.decode(key, current))) {
                return false;
            }
            if (store.compareAndSet(k, current, null)) {
                return true;
            }
        }
    }

    @Override
    public boolean replace(String key, V oldValue, V newValue) {
        byte[] k = keyToWrite(key);
        Objects.requireNonNull(oldValue, "oldValue");
        byte[] update = values.encode(key, newValue);
        while (true) {
            byte[] current = store.get(k);
            if (current == null || !oldValue.equals(values.decode(key, current))) {
                return false;
            }
            if (store.compareAndSet(k, current, update)) {
                return true;
            }
        }
    }

    @Override
    public V replace(String key, V value) {
        byte[] k = keyToWrite(key);
        byte[] update = values.encode(key, value);
        while (true) {
            byte[] current = store.get(k);
            if (current == null) {
                return null;
            }
            if (store.compareAndSet(k, current, update)) {
                return values.decode(key, current);
            }
        }
    }

    @Override
    public V computeIfAbsent(String key, Function<? super String, ? extends V> mappingFunction) {
        Objects.requireNonNull(mappingFunction, "mappingFunction");
        return update(key, (k, old) -> old != null ? old : mappingFunction.apply(k), false);
    }

    @Override
    public V computeIfPresent(String key, BiFunction<? super String, ? super V, ? extends V> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return update(key, (k, old) -> old == null ? null : remappingFunction.apply(k, old), true);
    }

    @Override
    public V compute(String key, BiFunction<? super String, ? super V, ? extends V> remappingFunction) {
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return update(key, remappingFunction, false);
    }

    @Override
    public V merge(String key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(remappingFunction, "remappingFunction");
        return update(key, (k, old) -> old == null ? value : remappingFunction.apply(old, value), false);
    }

    /**
     * The compare-and-set loop behind the {@code compute} family: applies {@code function} to the
     * current value (null if absent) and sets the result (null removes) if the value is unchanged
     * meanwhile. As in {@code ConcurrentSkipListMap}'s sub maps, a key outside this view reads as
     * absent and throws only when a value would be written; {@code onlyIfPresent} skips the
     * function for absent keys.
     */
    private V update(String key, BiFunction<? super String, ? super V, ? extends V> function, boolean onlyIfPresent) {
        byte[] k = keyInRange(key);
        while (true) {
            byte[] current = k == null ? null : store.get(k);
            if (current == null && onlyIfPresent) {
                return null;
            }
            V old = values.decode(key, current);
            V updated = function.apply(key, old);
            if (updated == old && current != null) {
                return old; // computeIfAbsent found a value: nothing to write
            }
            if (updated == null) {
                if (current == null || store.compareAndSet(k, current, null)) {
                    return null;
                }
            } else {
                byte[] target = keyToWrite(key);
                if (store.compareAndSet(target, current, values.encode(key, updated))) {
                    return updated;
                }
            }
        }
    }

    // ---- navigation, in ascending terms first

    /** Returns the first entry of the range in ascending order, or null. */
    private StoreEntry lowest() {
        StoreEntry e = lo == null ? store.navigate(null, Relation.CEILING)
                : store.navigate(range.low(), loInclusive ? Relation.CEILING : Relation.HIGHER);
        return e == null || range.tooHigh(e.key()) ? null : e;
    }

    /** Returns the last entry of the range in ascending order, or null. */
    private StoreEntry highest() {
        StoreEntry e = hi == null ? store.navigate(null, Relation.FLOOR)
                : store.navigate(range.high(), hiInclusive ? Relation.FLOOR : Relation.LOWER);
        return e == null || range.tooLow(e.key()) ? null : e;
    }

    /** Returns the entry in {@code relation} (in ascending terms) to {@code key} within the range, or null. */
    private StoreEntry near(Object key, Relation relation) {
        byte[] k = Keys.encode(key);
        String s = (String) key;
        if (relation.ascending()) {
            if (tooLow(s)) {
                return lowest();
            }
            if (tooHigh(s)) {
                return null;
            }
        } else {
            if (tooHigh(s)) {
                return highest();
            }
            if (tooLow(s)) {
                return null;
            }
        }
        StoreEntry e = store.navigate(k, relation);
        return e == null || !range.contains(e.key()) ? null : e;
    }

    private StoreEntry first() {
        return descending ? highest() : lowest();
    }

    private StoreEntry last() {
        return descending ? lowest() : highest();
    }

    /** Maps a relation in this view's order to ascending terms. */
    private Relation inStoreOrder(Relation relation) {
        if (!descending) {
            return relation;
        }
        switch (relation) {
            case CEILING: return Relation.FLOOR;
            case HIGHER: return Relation.LOWER;
            case FLOOR: return Relation.CEILING;
            default: return Relation.HIGHER;
        }
    }

    private StoreEntry near(Relation relationInViewOrder, Object key) {
        return near(key, inStoreOrder(relationInViewOrder));
    }

    Map.Entry<String, V> toEntry(StoreEntry e) {
        if (e == null) {
            return null;
        }
        String key = Keys.decode(e.key());
        return new SimpleImmutableEntry<>(key, values.decode(key, e.value()));
    }

    private static String keyOf(StoreEntry e) {
        return e == null ? null : Keys.decode(e.key());
    }

    private static String keyOrThrow(StoreEntry e) {
        if (e == null) {
            throw new NoSuchElementException();
        }
        return Keys.decode(e.key());
    }

    @Override
    public Map.Entry<String, V> firstEntry() {
        return toEntry(first());
    }

    @Override
    public Map.Entry<String, V> lastEntry() {
        return toEntry(last());
    }

    @Override
    public String firstKey() {
        return keyOrThrow(first());
    }

    @Override
    public String lastKey() {
        return keyOrThrow(last());
    }

    @Override
    public Map.Entry<String, V> ceilingEntry(String key) {
        return toEntry(near(Relation.CEILING, key));
    }

    @Override
    public String ceilingKey(String key) {
        return keyOf(near(Relation.CEILING, key));
    }

    @Override
    public Map.Entry<String, V> higherEntry(String key) {
        return toEntry(near(Relation.HIGHER, key));
    }

    @Override
    public String higherKey(String key) {
        return keyOf(near(Relation.HIGHER, key));
    }

    @Override
    public Map.Entry<String, V> floorEntry(String key) {
        return toEntry(near(Relation.FLOOR, key));
    }

    @Override
    public String floorKey(String key) {
        return keyOf(near(Relation.FLOOR, key));
    }

    @Override
    public Map.Entry<String, V> lowerEntry(String key) {
        return toEntry(near(Relation.LOWER, key));
    }

    @Override
    public String lowerKey(String key) {
        return keyOf(near(Relation.LOWER, key));
    }

    @Override
    public Map.Entry<String, V> pollFirstEntry() {
        return poll(true);
    }

    @Override
    public Map.Entry<String, V> pollLastEntry() {
        return poll(false);
    }

    /** Removes and returns the first (or last) entry, retrying if another caller changed it first. */
    private Map.Entry<String, V> poll(boolean first) {
        while (true) {
            StoreEntry e = first ? first() : last();
            if (e == null) {
                return null;
            }
            if (store.compareAndSet(e.key(), e.value(), null)) {
                return toEntry(e);
            }
        }
    }

    // ---- views

    @Override
    public Comparator<? super String> comparator() {
        return descending ? Collections.reverseOrder(Keys.ORDER) : Keys.ORDER;
    }

    /** Returns the view of this view's keys from {@code from} to {@code to} in this view's order; null is unbounded. */
    private StoreMapView<V> view(String from, boolean fromInclusive, String to, boolean toInclusive) {
        if (descending) { // bounds are kept in ascending terms
            String key = from;
            from = to;
            to = key;
            boolean inclusive = fromInclusive;
            fromInclusive = toInclusive;
            toInclusive = inclusive;
        }
        if (lo != null) {
            if (from == null) {
                from = lo;
                fromInclusive = loInclusive;
            } else {
                int c = Keys.ORDER.compare(from, lo);
                if (c < 0 || (c == 0 && !loInclusive && fromInclusive)) {
                    throw new IllegalArgumentException("Key \"" + from + "\" is out of this view's range " + rangeText());
                }
            }
        }
        if (hi != null) {
            if (to == null) {
                to = hi;
                toInclusive = hiInclusive;
            } else {
                int c = Keys.ORDER.compare(to, hi);
                if (c > 0 || (c == 0 && !hiInclusive && toInclusive)) {
                    throw new IllegalArgumentException("Key \"" + to + "\" is out of this view's range " + rangeText());
                }
            }
        }
        return new StoreMapView<>(store, reads, values, from, fromInclusive, to, toInclusive, descending);
    }

    @Override
    public ConcurrentNavigableMap<String, V> subMap(String fromKey, boolean fromInclusive, String toKey,
            boolean toInclusive) {
        Keys.encode(fromKey);
        Keys.encode(toKey);
        return view(fromKey, fromInclusive, toKey, toInclusive);
    }

    @Override
    public ConcurrentNavigableMap<String, V> headMap(String toKey, boolean inclusive) {
        Keys.encode(toKey);
        return view(null, false, toKey, inclusive);
    }

    @Override
    public ConcurrentNavigableMap<String, V> tailMap(String fromKey, boolean inclusive) {
        Keys.encode(fromKey);
        return view(fromKey, inclusive, null, false);
    }

    @Override
    public ConcurrentNavigableMap<String, V> subMap(String fromKey, String toKey) {
        return subMap(fromKey, true, toKey, false);
    }

    @Override
    public ConcurrentNavigableMap<String, V> headMap(String toKey) {
        return headMap(toKey, false);
    }

    @Override
    public ConcurrentNavigableMap<String, V> tailMap(String fromKey) {
        return tailMap(fromKey, true);
    }

    @Override
    public ConcurrentNavigableMap<String, V> descendingMap() {
        return new StoreMapView<>(store, reads, values, lo, loInclusive, hi, hiInclusive, !descending);
    }

    @Override
    public NavigableSet<String> keySet() {
        return new KeySetView<>(this);
    }

    @Override
    public NavigableSet<String> navigableKeySet() {
        return keySet();
    }

    @Override
    public NavigableSet<String> descendingKeySet() {
        return descendingMap().navigableKeySet();
    }

    /** Returns a new weakly consistent iterator over this view's entries, in this view's order. */
    EntryIterator<V> entryIterator() {
        return new EntryIterator<>(this, range, descending);
    }

    @Override
    public Collection<V> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<V> iterator() {
                return entryIterator().values();
            }

            @Override
            public Spliterator<V> spliterator() {
                return Spliterators.spliteratorUnknownSize(iterator(), ITERATION);
            }

            @Override
            public int size() {
                return StoreMapView.this.size();
            }

            @Override
            public boolean isEmpty() {
                return StoreMapView.this.isEmpty();
            }

            @Override
            public boolean contains(Object o) {
                return containsValue(o);
            }

            @Override
            public void clear() {
                StoreMapView.this.clear();
            }
        };
    }

    @Override
    public Set<Map.Entry<String, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, V>> iterator() {
                return entryIterator();
            }

            @Override
            public Spliterator<Map.Entry<String, V>> spliterator() {
                return Spliterators.spliteratorUnknownSize(iterator(), ITERATION | Spliterator.DISTINCT);
            }

            @Override
            public int size() {
                return StoreMapView.this.size();
            }

            @Override
            public boolean isEmpty() {
                return StoreMapView.this.isEmpty();
            }

            @Override
            public boolean contains(Object o) {
                if (!(o instanceof Map.Entry<?, ?> e) || !(e.getKey() instanceof String) || e.getValue() == null) {
                    return false;
                }
                V v = get(e.getKey());
                return v != null && v.equals(e.getValue());
            }

            @Override
            public boolean remove(Object o) {
                return o instanceof Map.Entry<?, ?> e && e.getKey() instanceof String
                        && StoreMapView.this.remove(e.getKey(), e.getValue());
            }

            @Override
            public void clear() {
                StoreMapView.this.clear();
            }
        };
    }
}
