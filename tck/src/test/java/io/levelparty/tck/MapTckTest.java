package io.levelparty.tck;

import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs every generic contract, through {@link ConcurrentNavigableMapTck} as a user would, against
 * every {@link MapMode}, so their results can be compared.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(MapMode.class)
class MapTckTest extends ConcurrentNavigableMapTck {
    @Parameter
    MapMode mode;

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return mode.open();
    }

    @Override
    protected Comparator<String> keyOrder() {
        return CodePointOrder.INSTANCE;
    }

    @Override
    protected Set<MapFeature> features() {
        return mode.features();
    }

    @Override
    protected void disposeMap(ConcurrentNavigableMap<String, String> map) throws Exception {
        MapMode.release(map);
    }
}
