package io.levelparty.etcd;

import io.levelparty.tck.ConcurrencyContract;
import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs {@link ConcurrencyContract} against maps on a real etcd server, one path per map. */
class EtcdConcurrencyContractTest extends ConcurrencyContract {
    @RegisterExtension
    static final EtcdNode etcd = new EtcdNode();

    @Override
    protected ConcurrentNavigableMap<String, String> newMap() {
        return etcd.newMap();
    }
}
