package io.levelparty.etcd;

import io.etcd.jetcd.Client;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The jetcd clients of this JVM, one per list of endpoints, shared by every {@link EtcdStore} open
 * on it: maps on one cluster share its connections and threads, and opening a further map costs
 * no new connection. A client is closed when the last store using it is.
 */
final class SharedClients {
    /** Replies as large as the largest page: {@value EtcdStore#MAX_PAGE} values of up to 1.5 MiB. */
    private static final int MAX_REPLY_BYTES = 256 << 20;

    private record Shared(Client client, int users) {}

    private static final Map<List<String>, Shared> CLIENTS = new HashMap<>();

    private SharedClients() {}

    /** Returns the client of {@code endpoints}, created if no store uses one; pair with {@link #release}. */
    static synchronized Client acquire(List<String> endpoints) {
        Shared shared = CLIENTS.get(endpoints);
        if (shared == null) {
            Client client = Client.builder()
                    .endpoints(endpoints.toArray(String[]::new))
                    .maxInboundMessageSize(MAX_REPLY_BYTES)
                    // A call fails at once while no endpoint is connected, so that the error names
                    // the cause (connection refused, …); RetryingCalls alone retries, within the timeout.
                    .waitForReady(false)
                    .retryMaxAttempts(0)
                    .build();
            shared = new Shared(client, 0);
        }
        CLIENTS.put(endpoints, new Shared(shared.client(), shared.users() + 1));
        return shared.client();
    }

    /** Gives back a client from {@link #acquire}, closing it if no other store uses it. */
    static void release(List<String> endpoints) {
        Client unused;
        synchronized (SharedClients.class) {
            Shared shared = CLIENTS.get(endpoints);
            if (shared == null) {
                return;
            }
            if (shared.users() > 1) {
                CLIENTS.put(endpoints, new Shared(shared.client(), shared.users() - 1));
                return;
            }
            CLIENTS.remove(endpoints);
            unused = shared.client();
        }
        unused.close();
    }
}
