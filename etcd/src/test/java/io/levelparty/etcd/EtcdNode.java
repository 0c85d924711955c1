package io.levelparty.etcd;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real etcd server for the tests of a class: started before all of them, killed and deleted
 * after all of them. Register it as a static field with
 * {@link org.junit.jupiter.api.extension.RegisterExtension}. Each map it opens has a path of its
 * own, so maps share nothing.
 */
final class EtcdNode implements BeforeAllCallback, AfterAllCallback {
    private static final AtomicInteger PATHS = new AtomicInteger();
    private EtcdProcess etcd;

    @Override
    public void beforeAll(ExtensionContext context) {
        etcd = EtcdProcess.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (etcd != null) {
            etcd.close();
        }
    }

    /** Returns the server's client port. */
    int port() {
        return etcd.clientPort;
    }

    /** Returns the URI of a map at a path no other map of this run uses. */
    URI newUri(String name) {
        return URI.create("etcd://" + etcd.endpoint() + "/" + name + "-" + PATHS.incrementAndGet());
    }

    /** Opens a new, empty map of strings at a path of its own. */
    PartyMap<String> newMap() {
        return LevelParty.open(newUri("tck"), Codecs.utf8());
    }
}
