package io.levelparty.bench;

/** Percentiles of sorted samples. */
final class Stats {
    private Stats() {}

    /** Returns the {@code p}th percentile (nearest rank) of {@code sorted}, or 0 if it is empty. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
