package io.levelparty.impl;

import java.util.Comparator;
import java.util.Spliterator;
import java.util.function.Consumer;

/**
 * The spliterator of a {@link KeySetView}: the keys of another spliterator, reported
 * {@link Spliterator#SORTED} with the set's comparator, as {@link java.util.SortedSet#spliterator()}
 * requires. The JDK's iterator-backed spliterators report {@code SORTED} only with a {@code null}
 * (natural order) comparator, which is wrong for code-point order and for descending sets; parts
 * split off are wrapped too, since they hold keys in the same order.
 */
final class SortedKeySpliterator implements Spliterator<String> {
    private final Spliterator<String> keys;
    private final Comparator<? super String> order;

    SortedKeySpliterator(Spliterator<String> keys, Comparator<? super String> order) {
        this.keys = keys;
        this.order = order;
    }

    @Override
    public boolean tryAdvance(Consumer<? super String> action) {
        return keys.tryAdvance(action);
    }

    @Override
    public void forEachRemaining(Consumer<? super String> action) {
        keys.forEachRemaining(action);
    }

    @Override
    public Spliterator<String> trySplit() {
        Spliterator<String> prefix = keys.trySplit();
        return prefix == null ? null : new SortedKeySpliterator(prefix, order);
    }

    @Override
    public long estimateSize() {
        return keys.estimateSize();
    }

    @Override
    public int characteristics() {
        return keys.characteristics() | Spliterator.SORTED;
    }

    @Override
    public Comparator<? super String> getComparator() {
        return order;
    }
}
