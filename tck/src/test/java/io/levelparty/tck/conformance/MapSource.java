package io.levelparty.tck.conformance;

import java.util.concurrent.ConcurrentNavigableMap;

/** Where a conformance suite gets the maps it tests. */
interface MapSource {
    /** Returns a new, empty map, independent of every map returned before. */
    ConcurrentNavigableMap<String, String> newMap();

    /** Releases every map returned so far; the suite runs this after each test. */
    void releaseMaps();

    /** Releases whatever is left once the whole suite has run. */
    void close();
}
