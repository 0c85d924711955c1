package io.levelparty.etcd;

import io.levelparty.tck.ConcurrentNavigableMapContract;
import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs {@link ConcurrentNavigableMapContract} against maps on a real etcd server, one path per map. */
@Order(4)
class EtcdMapContractTest extends ConcurrentNavigableMapContract {
    @RegisterExtension
    static final EtcdNode etcd = new EtcdNode();

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return etcd.newMap();
    }
}
