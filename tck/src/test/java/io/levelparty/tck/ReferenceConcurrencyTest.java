package io.levelparty.tck;

import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** Runs {@link ConcurrencyContract} against {@link ConcurrentSkipListMap}, the reference. */
class ReferenceConcurrencyTest extends ConcurrencyContract {

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return ReferenceMapContractTest.newReferenceMap();
    }
}
