package io.levelparty.impl;

import java.util.AbstractSet;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SortedSet;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentNavigableMap;

/** The keys of a {@link StoreMapView} as a live {@link NavigableSet}, as {@code ConcurrentSkipListMap.KeySet} is. */
final class KeySetView<V> extends AbstractSet<String> implements NavigableSet<String> {
    private final StoreMapView<V> map;

    KeySetView(StoreMapView<V> map) {
        this.map = map;
    }

    private static <V> NavigableSet<String> keysOf(ConcurrentNavigableMap<String, V> view) {
        return view.navigableKeySet();
    }

    private static String keyOrNull(Map.Entry<String, ?> e) {
        return e == null ? null : e.getKey();
    }

    @Override
    public Iterator<String> iterator() {
        return map.entryIterator().keys();
    }

    @Override
    public Spliterator<String> spliterator() {
        return new SortedKeySpliterator(
                Spliterators.spliteratorUnknownSize(iterator(), StoreMapView.ITERATION | Spliterator.DISTINCT),
                comparator());
    }

    @Override
    public Iterator<String> descendingIterator() {
        return descendingSet().iterator();
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public boolean isEmpty() {
        return map.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
        return map.containsKey(o);
    }

    @Override
    public boolean remove(Object o) {
        return map.remove(o) != null;
    }

    @Override
    public void clear() {
        map.clear();
    }

    @Override
    public Comparator<? super String> comparator() {
        return map.comparator();
    }

    @Override
    public String first() {
        return map.firstKey();
    }

    @Override
    public String last() {
        return map.lastKey();
    }

    @Override
    public String lower(String e) {
        return map.lowerKey(e);
    }

    @Override
    public String floor(String e) {
        return map.floorKey(e);
    }

    @Override
    public String ceiling(String e) {
        return map.ceilingKey(e);
    }

    @Override
    public String higher(String e) {
        return map.higherKey(e);
    }

    @Override
    public String pollFirst() {
        return keyOrNull(map.pollFirstEntry());
    }

    @Override
    public String pollLast() {
        return keyOrNull(map.pollLastEntry());
    }

    @Override
    public NavigableSet<String> descendingSet() {
        return keysOf(map.descendingMap());
    }

    @Override
    public NavigableSet<String> subSet(String fromElement, boolean fromInclusive, String toElement, boolean toInclusive) {
        return keysOf(map.subMap(fromElement, fromInclusive, toElement, toInclusive));
    }

    @Override
    public NavigableSet<String> headSet(String toElement, boolean inclusive) {
        return keysOf(map.headMap(toElement, inclusive));
    }

    @Override
    public NavigableSet<String> tailSet(String fromElement, boolean inclusive) {
        return keysOf(map.tailMap(fromElement, inclusive));
    }

    @Override
    public SortedSet<String> subSet(String fromElement, String toElement) {
        return subSet(fromElement, true, toElement, false);
    }

    @Override
    public SortedSet<String> headSet(String toElement) {
        return headSet(toElement, false);
    }

    @Override
    public SortedSet<String> tailSet(String fromElement) {
        return tailSet(fromElement, true);
    }
}
