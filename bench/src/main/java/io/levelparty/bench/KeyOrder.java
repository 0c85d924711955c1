package io.levelparty.bench;

/**
 * The order in which a benchmark visits the {@link BenchData#ENTRIES} keys: a fixed shuffle, the
 * same in every benchmark, so that each one and its baseline touch keys alike. Not thread-safe, as
 * JMH states of one thread need not be.
 */
final class KeyOrder {
    private final int[] order = BenchData.shuffled(BenchData.ENTRIES);
    private int next;

    /** Returns the index of the next key, starting over after the last. */
    int next() {
        int i = order[next];
        next = next + 1 == order.length ? 0 : next + 1;
        return i;
    }
}
