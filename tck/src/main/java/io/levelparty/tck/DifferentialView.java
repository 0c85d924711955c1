package io.levelparty.tck;

import java.util.Comparator;
import java.util.NavigableMap;

/**
 * The view of the map a step of a {@link DifferentialContract} sequence works on: the map itself, a
 * sub, head or tail map of it, or the descending map of one of these.
 *
 * @param low           the lower bound, or {@code null} for none
 * @param lowInclusive  whether {@code low} is in the view
 * @param high          the upper bound, or {@code null} for none
 * @param highInclusive whether {@code high} is in the view
 * @param descending    whether the view is the descending map of the bounded one
 */
record DifferentialView(String low, boolean lowInclusive, String high, boolean highInclusive, boolean descending) {

    /** The map itself. */
    static final DifferentialView WHOLE = new DifferentialView(null, false, null, false, false);

    /** Derives this view of {@code map}. */
    NavigableMap<String, String> of(NavigableMap<String, String> map) {
        NavigableMap<String, String> bounded;
        if (low != null && high != null) {
            bounded = map.subMap(low, lowInclusive, high, highInclusive);
        } else if (low != null) {
            bounded = map.tailMap(low, lowInclusive);
        } else if (high != null) {
            bounded = map.headMap(high, highInclusive);
        } else {
            bounded = map;
        }
        return descending ? bounded.descendingMap() : bounded;
    }

    /** Returns whether {@code key} lies outside the bounds of this view, keys sorting in {@code order}. */
    boolean excludes(String key, Comparator<String> order) {
        if (low != null) {
            int c = order.compare(key, low);
            if (c < 0 || (c == 0 && !lowInclusive)) {
                return true;
            }
        }
        if (high != null) {
            int c = order.compare(key, high);
            return c > 0 || (c == 0 && !highInclusive);
        }
        return false;
    }

    /** Returns the expression that derives this view from a map named {@code map}, as Java source. */
    @Override
    public String toString() {
        StringBuilder expression = new StringBuilder("map");
        if (low != null && high != null) {
            expression.append(".subMap(").append(MapAssertions.quote(low)).append(", ").append(lowInclusive)
                    .append(", ").append(MapAssertions.quote(high)).append(", ").append(highInclusive).append(')');
        } else if (low != null) {
            expression.append(".tailMap(").append(MapAssertions.quote(low)).append(", ").append(lowInclusive).append(')');
        } else if (high != null) {
            expression.append(".headMap(").append(MapAssertions.quote(high)).append(", ").append(highInclusive)
                    .append(')');
        }
        return descending ? expression.append(".descendingMap()").toString() : expression.toString();
    }
}
