package io.levelparty.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.levelparty.Codecs;
import io.levelparty.PartyOptions;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.StoreWrite;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A write whose transaction committed but whose reply never came back is sent again, and still
 * takes effect once and reports what it really did. The reply is lost for real: a proxy between
 * the store and etcd swallows etcd's answers until the write is seen committed, then cuts the
 * connection, and the store sends the write again over a new one. A blind resend would apply the
 * write a second time: the key's version would count it twice, and the outcome would describe the
 * second application (a put returning its own value, a compareAndSet failing).
 */
class ExactlyOnceTest {
    @RegisterExtension
    static final EtcdNode etcd = new EtcdNode();

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ExecutorService writer = Executors.newSingleThreadExecutor();
    private TcpProxy proxy;
    private KeySpace keys;
    private PartyStore store;
    private Client direct;

    @BeforeEach
    void openStoreThroughProxy() {
        proxy = new TcpProxy(etcd.port());
        URI uri = etcd.newUri("once");
        keys = new KeySpace(uri.getPath().getBytes(UTF_8));
        store = new EtcdStoreProvider().open(URI.create("etcd://127.0.0.1:" + proxy.port() + uri.getPath()),
                PartyOptions.of(Codecs.utf8()));
        direct = Client.builder().endpoints("http://127.0.0.1:" + etcd.port()).build();
        // A first write sets up the connection and the lease of the request records.
        store.put(bytes("warm"), bytes("up"));
    }

    @AfterEach
    void close() {
        writer.shutdownNow();
        store.close();
        direct.close();
        proxy.close();
    }

    @Test
    void aPutWhoseReplyWasLostReturnsTheValueBeforeIt() throws Exception {
        store.put(bytes("k"), bytes("before"));
        byte[] previous = withLostReply(() -> store.put(bytes("k"), bytes("after")), "k",
                kv -> kv != null && kv.getValue().toString(UTF_8).equals("after"));
        assertArrayEquals(bytes("before"), previous, "a put sent twice would return its own value");
        assertEquals(2, version("k"), "the key was written by the first put and this one, once");
    }

    @Test
    void aCompareAndSetWhoseReplyWasLostReportsItsSuccess() throws Exception {
        boolean set = withLostReply(() -> store.compareAndSet(bytes("k"), null, bytes("mine")), "k",
                kv -> kv != null);
        assertTrue(set, "a compareAndSet sent twice would find its own value and fail");
        assertEquals(1, version("k"));
    }

    @Test
    void aDeleteWhoseReplyWasLostReturnsTheValueItDeleted() throws Exception {
        store.put(bytes("k"), bytes("doomed"));
        byte[] previous = withLostReply(() -> store.delete(bytes("k")), "k", kv -> kv == null);
        assertArrayEquals(bytes("doomed"), previous, "a delete sent twice would find nothing to delete");
    }

    @Test
    void aBatchWhoseReplyWasLostIsAppliedOnce() throws Exception {
        store.put(bytes("a"), bytes("0"));
        withLostReply(() -> {
            store.batch(List.of(StoreWrite.put(bytes("a"), bytes("1")), StoreWrite.put(bytes("b"), bytes("2"))));
            return null;
        }, "b", kv -> kv != null);
        assertEquals(2, version("a"), "a batch sent twice would write a a third time");
        assertEquals(1, version("b"));
        assertArrayEquals(bytes("1"), store.get(bytes("a")));
    }

    @Test
    void requestRecordsLiveOnlyAsLongAsTheirLease() throws Exception {
        store.put(bytes("k"), bytes("v"));
        List<KeyValue> records = direct.getKVClient().get(keys.record(new byte[0]),
                GetOption.builder().isPrefix(true).build()).get(30, TimeUnit.SECONDS).getKvs();
        assertEquals(2, records.size(), "one record per write of this store");
        long longest = RequestRecords.LEASE_USE.toSeconds() + PartyOptions.DEFAULT_REQUEST_TIMEOUT.toSeconds() + 5;
        for (KeyValue record : records) {
            assertNotEquals(0, record.getLease(), "a record without a lease would stay forever");
            long ttl = direct.getLeaseClient().timeToLive(record.getLease(), LeaseOption.DEFAULT)
                    .get(30, TimeUnit.SECONDS).getGrantedTTL();
            assertTrue(ttl > 0 && ttl <= longest, "lease of " + ttl + " s");
        }
    }

    /**
     * Runs {@code write} while etcd's replies are swallowed, waits until etcd shows it committed
     * ({@code committed} holds for {@code key}), then cuts the connection and lets replies through
     * again, and returns what the write returns after the store sent it again.
     */
    private <T> T withLostReply(Callable<T> write, String key, Predicate<KeyValue> committed) throws Exception {
        proxy.dropReplies(true);
        Future<T> outcome = writer.submit(write);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!committed.test(current(key))) {
            if (System.nanoTime() - deadline > 0) {
                fail("the write was not committed within " + WAIT);
            }
            EtcdProcess.pollPause();
        }
        assertFalse(outcome.isDone(), "the write cannot have returned: its reply was swallowed");
        proxy.dropReplies(false);
        proxy.cutAll();
        return outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private KeyValue current(String key) throws Exception {
        List<KeyValue> kvs = direct.getKVClient().get(etcdKey(key)).get(30, TimeUnit.SECONDS).getKvs();
        return kvs.isEmpty() ? null : kvs.get(0);
    }

    private long version(String key) throws Exception {
        KeyValue kv = current(key);
        return kv == null ? 0 : kv.getVersion();
    }

    private ByteSequence etcdKey(String key) {
        return keys.key(bytes(key));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
