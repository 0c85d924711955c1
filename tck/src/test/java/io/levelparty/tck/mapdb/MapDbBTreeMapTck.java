package io.levelparty.tck.mapdb;

import io.levelparty.tck.ConcurrentNavigableMapTck;
import io.levelparty.tck.MapFeature;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * The TCK run, as an outside user would run it, against MapDB 3.1.0's {@code BTreeMap} in memory,
 * a map that presents itself as a drop-in for {@link java.util.concurrent.ConcurrentSkipListMap}
 * and so declares all of its {@link MapFeature}s. Its keys, serialized by
 * {@link Serializer#STRING}, sort in natural (UTF-16) order, the default key order.
 *
 * <p>It fails some tests, so it is no test class of its own (its name does not end in
 * {@code Test}): {@link MapDbVerdictTest} runs it and pins which tests fail.
 */
class MapDbBTreeMapTck extends ConcurrentNavigableMapTck {

    /** The database behind each open map, to close with it; by identity, as maps' equals compares contents. */
    private final Map<Object, DB> databases = Collections.synchronizedMap(new IdentityHashMap<>());

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        DB db = DBMaker.memoryDB().make();
        ConcurrentNavigableMap<String, String> map = db.treeMap("tck", Serializer.STRING, Serializer.STRING)
                .createOrOpen();
        databases.put(map, db);
        return map;
    }

    @Override
    protected void disposeMap(ConcurrentNavigableMap<String, String> map) {
        DB db = databases.remove(map);
        if (db != null) {
            db.close();
        }
    }

    @Override
    protected Set<MapFeature> features() {
        return MapFeature.ofConcurrentSkipListMap();
    }
}
