package io.levelparty.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.levelparty.Change;
import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.Subscription;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link PartyMap#subscribe} on etcd: changes by others in commit order, and gaps where etcd compacted them away. */
class SubscriptionTest {
    @RegisterExtension
    static final EtcdNode etcd = new EtcdNode();

    private static final long WAIT_SECONDS = 30;

    private final BlockingQueue<Change<String>> changes = new LinkedBlockingQueue<>();

    @Test
    void changesMadeAfterSubscribingArriveInCommitOrderWithOneSequencePerWrite() throws Exception {
        URI uri = etcd.newUri("subscribe");
        try (PartyMap<String> watcher = LevelParty.open(uri, Codecs.utf8());
                PartyMap<String> writer = LevelParty.open(uri, Codecs.utf8())) {
            writer.put("early", "0");
            try (Subscription subscription = watcher.subscribe(changes::add)) {
                writer.put("a", "1");
                writer.batch().put("b", "2").remove("a").apply();
                writer.remove("b");

                Change<String> first = next();
                assertEquals(new Change.Put<>("a", "1", sequence(first)), first, "the write before subscribing is not told");
                Change<String> second = next();
                Change<String> third = next();
                assertEquals(Set.of(new Change.Remove<String>("a", sequence(second)), new Change.Put<>("b", "2", sequence(second))),
                        Set.of(second, third), "the batch's changes share one sequence");
                assertEquals(sequence(second), sequence(third));
                Change<String> fourth = next();
                assertEquals(new Change.Remove<String>("b", sequence(fourth)), fourth);
                assertTrue(sequence(first) < sequence(second) && sequence(second) < sequence(fourth),
                        "sequences grow in commit order: " + List.of(first, second, third, fourth));
            }
        }
    }

    @Test
    void aWatchBehindCompactedHistoryReportsAGapAndGoesOn() throws Exception {
        URI uri = etcd.newUri("compacted");
        try (TcpProxy proxy = new TcpProxy(etcd.port());
                PartyMap<String> watcher = LevelParty.open(
                        URI.create("etcd://127.0.0.1:" + proxy.port() + uri.getPath()), Codecs.utf8());
                PartyMap<String> writer = LevelParty.open(uri, Codecs.utf8());
                Client direct = Client.builder().endpoints("http://127.0.0.1:" + etcd.port()).build();
                Subscription subscription = watcher.subscribe(changes::add)) {
            writer.put("before", "1");
            Change<String> before = next();
            assertEquals(new Change.Put<>("before", "1", sequence(before)), before);

            // Cut the watcher off, write, and compact that write's history away before it is back.
            proxy.refuse(true);
            proxy.cutAll();
            writer.put("missed", "2");
            // etcd keeps the compaction revision itself: a second write moves the first behind it.
            writer.put("also missed", "2");
            long revision = direct.getKVClient().get(ByteSequence.from(new byte[] {0})).get(WAIT_SECONDS, TimeUnit.SECONDS)
                    .getHeader().getRevision();
            direct.getKVClient().compact(revision).get(WAIT_SECONDS, TimeUnit.SECONDS);
            proxy.refuse(false);

            assertEquals(new Change.Gap<String>(Change.GapReason.COMPACTED), next(), "the missed writes are told as a gap");
            writer.put("after", "3");
            Change<String> after = next();
            // Not "also missed", at the compaction revision: the watch resumes after it (etcd-io/etcd#18089).
            assertEquals(new Change.Put<>("after", "3", sequence(after)), after, "changes after the gap arrive");
        }
    }

    private Change<String> next() throws InterruptedException {
        Change<String> change = changes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(change, "no change within " + WAIT_SECONDS + " s");
        return change;
    }

    private static long sequence(Change<String> change) {
        if (change instanceof Change.Put<String> put) {
            return put.sequence();
        }
        if (change instanceof Change.Remove<String> remove) {
            return remove.sequence();
        }
        throw new AssertionError("not a put or a removal: " + change);
    }
}
