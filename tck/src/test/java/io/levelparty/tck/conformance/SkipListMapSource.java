package io.levelparty.tck.conformance;

import io.levelparty.tck.CodePointOrder;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** The control: {@link ConcurrentSkipListMap} in the same key order as a {@code PartyMap}. */
final class SkipListMapSource implements MapSource {
    @Override
    public ConcurrentNavigableMap<String, String> newMap() {
        return new ConcurrentSkipListMap<>(CodePointOrder.INSTANCE);
    }

    @Override
    public void releaseMaps() {}

    @Override
    public void close() {}
}
