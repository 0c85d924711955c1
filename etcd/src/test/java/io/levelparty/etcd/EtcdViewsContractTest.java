package io.levelparty.etcd;

import io.levelparty.tck.NavigableViewsContract;
import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs {@link NavigableViewsContract} against maps on a real etcd server, one path per map. */
@Order(1)
class EtcdViewsContractTest extends NavigableViewsContract {
    @RegisterExtension
    static final EtcdNode etcd = new EtcdNode();

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return etcd.newMap();
    }
}
