package io.levelparty.etcd;

import io.levelparty.tck.CodePointOrder;
import io.levelparty.tck.ConcurrentNavigableMapTck;
import io.levelparty.tck.MapFeature;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs every generic TCK contract against maps on a real etcd server, one key prefix per map,
 * with the same hooks as LevelParty's own maps: the facade is the same, so are its features and
 * its key order (code point, which is etcd's byte order of UTF-8 keys).
 */
@Order(4)
class EtcdTckTest extends ConcurrentNavigableMapTck {
    @RegisterExtension
    static final EtcdNode etcd = new EtcdNode();

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return etcd.newMap();
    }

    @Override
    protected Comparator<String> keyOrder() {
        return CodePointOrder.INSTANCE;
    }

    @Override
    protected Set<MapFeature> features() {
        return MapFeature.ofConcurrentSkipListMap();
    }
}
