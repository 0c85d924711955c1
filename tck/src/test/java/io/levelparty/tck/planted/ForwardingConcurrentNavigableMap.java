package io.levelparty.tck.planted;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@link ConcurrentNavigableMap} that forwards every call, default methods included, to another,
 * so that a subclass can plant a bug in one method and leave the rest correct.
 */
class ForwardingConcurrentNavigableMap implements ConcurrentNavigableMap<String, String> {

    final ConcurrentNavigableMap<String, String> delegate;

    ForwardingConcurrentNavigableMap(ConcurrentNavigableMap<String, String> delegate) {
        this.delegate = delegate;
    }

    @Override public int size() { return delegate.size(); }
    @Override public boolean isEmpty() { return delegate.isEmpty(); }
    @Override public boolean containsKey(Object key) { return delegate.containsKey(key); }
    @Override public boolean containsValue(Object value) { return delegate.containsValue(value); }
    @Override public String get(Object key) { return delegate.get(key); }
    @Override public String getOrDefault(Object key, String defaultValue) { return delegate.getOrDefault(key, defaultValue); }
    @Override public String put(String key, String value) { return delegate.put(key, value); }
    @Override public String remove(Object key) { return delegate.remove(key); }
    @Override public void putAll(Map<? extends String, ? extends String> m) { delegate.putAll(m); }
    @Override public void clear() { delegate.clear(); }
    @Override public String putIfAbsent(String key, String value) { return delegate.putIfAbsent(key, value); }
    @Override public boolean remove(Object key, Object value) { return delegate.remove(key, value); }
    @Override public boolean replace(String key, String oldValue, String newValue) { return delegate.replace(key, oldValue, newValue); }
    @Override public String replace(String key, String value) { return delegate.replace(key, value); }
    @Override public void forEach(BiConsumer<? super String, ? super String> action) { delegate.forEach(action); }
    @Override public void replaceAll(BiFunction<? super String, ? super String, ? extends String> function) { delegate.replaceAll(function); }

    @Override
    public String computeIfAbsent(String key, Function<? super String, ? extends String> function) {
        return delegate.computeIfAbsent(key, function);
    }

    @Override
    public String computeIfPresent(String key, BiFunction<? super String, ? super String, ? extends String> function) {
        return delegate.computeIfPresent(key, function);
    }

    @Override
    public String compute(String key, BiFunction<? super String, ? super String, ? extends String> function) {
        return delegate.compute(key, function);
    }

    @Override
    public String merge(String key, String value, BiFunction<? super String, ? super String, ? extends String> function) {
        return delegate.merge(key, value, function);
    }

    @Override public Comparator<? super String> comparator() { return delegate.comparator(); }
    @Override public String firstKey() { return delegate.firstKey(); }
    @Override public String lastKey() { return delegate.lastKey(); }
    @Override public Entry<String, String> lowerEntry(String key) { return delegate.lowerEntry(key); }
    @Override public String lowerKey(String key) { return delegate.lowerKey(key); }
    @Override public Entry<String, String> floorEntry(String key) { return delegate.floorEntry(key); }
    @Override public String floorKey(String key) { return delegate.floorKey(key); }
    @Override public Entry<String, String> ceilingEntry(String key) { return delegate.ceilingEntry(key); }
    @Override public String ceilingKey(String key) { return delegate.ceilingKey(key); }
    @Override public Entry<String, String> higherEntry(String key) { return delegate.higherEntry(key); }
    @Override public String higherKey(String key) { return delegate.higherKey(key); }
    @Override public Entry<String, String> firstEntry() { return delegate.firstEntry(); }
    @Override public Entry<String, String> lastEntry() { return delegate.lastEntry(); }
    @Override public Entry<String, String> pollFirstEntry() { return delegate.pollFirstEntry(); }
    @Override public Entry<String, String> pollLastEntry() { return delegate.pollLastEntry(); }

    @Override
    public ConcurrentNavigableMap<String, String> subMap(String fromKey, boolean fromInclusive, String toKey,
            boolean toInclusive) {
        return delegate.subMap(fromKey, fromInclusive, toKey, toInclusive);
    }

    @Override
    public ConcurrentNavigableMap<String, String> headMap(String toKey, boolean inclusive) {
        return delegate.headMap(toKey, inclusive);
    }

    @Override
    public ConcurrentNavigableMap<String, String> tailMap(String fromKey, boolean inclusive) {
        return delegate.tailMap(fromKey, inclusive);
    }

    @Override public ConcurrentNavigableMap<String, String> subMap(String fromKey, String toKey) { return delegate.subMap(fromKey, toKey); }
    @Override public ConcurrentNavigableMap<String, String> headMap(String toKey) { return delegate.headMap(toKey); }
    @Override public ConcurrentNavigableMap<String, String> tailMap(String fromKey) { return delegate.tailMap(fromKey); }
    @Override public ConcurrentNavigableMap<String, String> descendingMap() { return delegate.descendingMap(); }
    @Override public NavigableSet<String> navigableKeySet() { return delegate.navigableKeySet(); }
    @Override public NavigableSet<String> keySet() { return delegate.keySet(); }
    @Override public NavigableSet<String> descendingKeySet() { return delegate.descendingKeySet(); }
    @Override public Collection<String> values() { return delegate.values(); }
    @Override public Set<Entry<String, String>> entrySet() { return delegate.entrySet(); }
    @Override public boolean equals(Object o) { return o == this || delegate.equals(o); }
    @Override public int hashCode() { return delegate.hashCode(); }
    @Override public String toString() { return delegate.toString(); }
}
