package io.levelparty.tck.planted;

import java.util.AbstractMap;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Maps with one bug planted in an otherwise correct {@link ConcurrentSkipListMap}, to prove that
 * the contracts catch it. The races are written as a get and then a put, the way such bugs are
 * written by hand, once straight and once with a {@link Thread#yield()} between the two, which
 * widens the window on a machine with few cores.
 */
public enum PlantedBug {
    NON_ATOMIC_PUT_IF_ABSENT("putIfAbsentHasExactlyOneWinnerPerKey", order -> new NonAtomicPutIfAbsent(order, false)),
    NON_ATOMIC_PUT_IF_ABSENT_WITH_YIELD("putIfAbsentHasExactlyOneWinnerPerKey", order -> new NonAtomicPutIfAbsent(order, true)),
    NON_ATOMIC_MERGE("mergeIncrementsFromManyThreadsAreNeverLost", order -> new NonAtomicMerge(order, false)),
    NON_ATOMIC_MERGE_WITH_YIELD("mergeIncrementsFromManyThreadsAreNeverLost", order -> new NonAtomicMerge(order, true)),
    NON_ATOMIC_POLL_FIRST_ENTRY("concurrentPollsReturnEveryEntryExactlyOnce", order -> new NonAtomicPollFirstEntry(order, false)),
    NON_ATOMIC_POLL_FIRST_ENTRY_WITH_YIELD("concurrentPollsReturnEveryEntryExactlyOnce",
            order -> new NonAtomicPollFirstEntry(order, true)),
    /** {@code hashCode()} of the map, and of nothing else, is off by one. */
    WRONG_HASH_CODE("equalsAndHashCodeFollowTheMapContract", WrongHashCode::new),
    /** {@code descendingMap().comparator()} returns the ascending order; the descending map is otherwise right. */
    WRONG_DESCENDING_COMPARATOR("viewComparatorImposesTheOrderOfTheView", WrongDescendingComparator::new),
    /** {@code higherKey} of the last key returns that key instead of {@code null}; nothing else is wrong. */
    WRONG_HIGHER_KEY_OF_THE_LAST_KEY("randomOperationSequencesAgreeWithATreeMap", WrongHigherKeyOfTheLastKey::new);

    private final String catchingTest;
    private final Function<Comparator<String>, ConcurrentNavigableMap<String, String>> maps;

    PlantedBug(String catchingTest, Function<Comparator<String>, ConcurrentNavigableMap<String, String>> maps) {
        this.catchingTest = catchingTest;
        this.maps = maps;
    }

    /** Returns a new, empty map with this bug, its keys in {@code order}. */
    public ConcurrentNavigableMap<String, String> newMap(Comparator<String> order) {
        return maps.apply(order);
    }

    /** Returns the name of the contract test that must fail on this bug, and the only one. */
    public String catchingTest() {
        return catchingTest;
    }

    /** {@code hashCode()} off by one. */
    private static final class WrongHashCode extends ForwardingConcurrentNavigableMap {
        WrongHashCode(Comparator<String> order) {
            super(new ConcurrentSkipListMap<>(order));
        }

        @Override
        public int hashCode() {
            return delegate.hashCode() + 1;
        }
    }

    /** A descending map whose {@code comparator()} is the ascending order, as if copied from its map. */
    private static final class WrongDescendingComparator extends ForwardingConcurrentNavigableMap {
        private final Comparator<String> order;

        WrongDescendingComparator(Comparator<String> order) {
            super(new ConcurrentSkipListMap<>(order));
            this.order = order;
        }

        @Override
        public ConcurrentNavigableMap<String, String> descendingMap() {
            return new ForwardingConcurrentNavigableMap(delegate.descendingMap()) {
                @Override
                public Comparator<? super String> comparator() {
                    return order;
                }
            };
        }
    }
    /** {@code higherKey(lastKey())} returns {@code lastKey()}, the way an off-by-one at the end of a page would. */
    private static final class WrongHigherKeyOfTheLastKey extends ForwardingConcurrentNavigableMap {
        WrongHigherKeyOfTheLastKey(Comparator<String> order) {
            super(new ConcurrentSkipListMap<>(order));
        }

        @Override
        public String higherKey(String key) {
            String higher = delegate.higherKey(key);
            return higher == null && delegate.containsKey(key) ? key : higher;
        }
    }

    /** A map with a read and a write that ought to be one atomic step. */
    private abstract static class Race extends ForwardingConcurrentNavigableMap {
        private final boolean yieldInside;

        Race(Comparator<String> order, boolean yieldInside) {
            super(new ConcurrentSkipListMap<>(order));
            this.yieldInside = yieldInside;
        }

        /** Yields, if this map is to widen the window between its read and its write. */
        final void betweenReadAndWrite() {
            if (yieldInside) {
                Thread.yield();
            }
        }
    }

    /** {@code putIfAbsent} as a get and then a put. */
    private static final class NonAtomicPutIfAbsent extends Race {
        NonAtomicPutIfAbsent(Comparator<String> order, boolean yieldInside) {
            super(order, yieldInside);
        }

        @Override
        public String putIfAbsent(String key, String value) {
            String current = delegate.get(key);
            if (current != null) {
                return current;
            }
            betweenReadAndWrite();
            delegate.put(key, value);
            return null;
        }
    }

    /** {@code merge} as a get, the function, and then a put. */
    private static final class NonAtomicMerge extends Race {
        NonAtomicMerge(Comparator<String> order, boolean yieldInside) {
            super(order, yieldInside);
        }

        @Override
        public String merge(String key, String value,
                BiFunction<? super String, ? super String, ? extends String> function) {
            if (key == null || value == null || function == null) {
                throw new NullPointerException();
            }
            String current = delegate.get(key);
            String merged = current == null ? value : function.apply(current, value);
            betweenReadAndWrite();
            if (merged == null) {
                delegate.remove(key);
            } else {
                delegate.put(key, merged);
            }
            return merged;
        }
    }

    /** {@code pollFirstEntry} as a read of the first entry and then a remove of its key. */
    private static final class NonAtomicPollFirstEntry extends Race {
        NonAtomicPollFirstEntry(Comparator<String> order, boolean yieldInside) {
            super(order, yieldInside);
        }

        @Override
        public Map.Entry<String, String> pollFirstEntry() {
            Map.Entry<String, String> first = delegate.firstEntry();
            if (first == null) {
                return null;
            }
            betweenReadAndWrite();
            delegate.remove(first.getKey());
            return new AbstractMap.SimpleImmutableEntry<>(first);
        }
    }
}
