package io.levelparty.etcd;

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

    /** Unicode code point order: the unsigned order of the keys' UTF-8 bytes, in which etcd sorts them. */
    private static final Comparator<String> CODE_POINTS = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return etcd.newMap();
    }

    @Override
    protected Comparator<String> keyOrder() {
        return CODE_POINTS;
    }

    @Override
    protected Set<MapFeature> features() {
        return MapFeature.ofConcurrentSkipListMap();
    }
}
