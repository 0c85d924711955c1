package io.levelparty.tck;

import java.util.Comparator;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** Runs {@link ConcurrentNavigableMapContract} against {@link ConcurrentSkipListMap}, the reference. */
class ReferenceMapContractTest extends ConcurrentNavigableMapContract {

    /**
     * Orders strings by Unicode code point, which is the bytewise unsigned order of their UTF-8
     * forms and the order LevelDB gives keys stored as UTF-8. It differs from
     * {@link String#compareTo} only between supplementary characters and U+E000 to U+FFFF.
     */
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        while (i < a.length() && i < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(i);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
        }
        return Integer.compare(a.length() - i, b.length() - i);
    };

    /** Returns a new, empty reference map ordered by {@link #CODE_POINT_ORDER}. */
    static ConcurrentNavigableMap<String, String> newReferenceMap() {
        return new ConcurrentSkipListMap<>(CODE_POINT_ORDER);
    }

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return newReferenceMap();
    }
}
