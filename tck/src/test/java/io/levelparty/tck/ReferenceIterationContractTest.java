package io.levelparty.tck;

import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** Runs {@link IterationContract} against {@link ConcurrentSkipListMap}, the reference. */
class ReferenceIterationContractTest extends IterationContract {

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return ReferenceMapContractTest.newReferenceMap();
    }
}
