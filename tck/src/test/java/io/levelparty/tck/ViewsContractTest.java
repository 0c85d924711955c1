package io.levelparty.tck;

import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Runs {@link NavigableViewsContract} against every {@link MapMode}, so their results can be compared. */
@ParameterizedClass(name = "{0}")
@EnumSource(MapMode.class)
class ViewsContractTest extends NavigableViewsContract {
    @Parameter
    MapMode mode;

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return mode.open();
    }

    @Override
    protected void disposeMap(ConcurrentNavigableMap<String, String> map) throws Exception {
        MapMode.release(map);
    }
}
