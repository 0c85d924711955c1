package io.levelparty.etcd;

import io.levelparty.tck.IterationContract;
import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs {@link IterationContract} against maps on a real etcd server, one path per map. */
@Order(2)
class EtcdIterationContractTest extends IterationContract {
    @RegisterExtension
    static final EtcdNode etcd = new EtcdNode();

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return etcd.newMap();
    }
}
