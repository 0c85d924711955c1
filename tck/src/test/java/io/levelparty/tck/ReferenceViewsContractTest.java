package io.levelparty.tck;

import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** Runs {@link NavigableViewsContract} against {@link ConcurrentSkipListMap}, the reference. */
class ReferenceViewsContractTest extends NavigableViewsContract {

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return ReferenceMapContractTest.newReferenceMap();
    }
}
