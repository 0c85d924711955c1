package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyStats;
import io.levelparty.Role;
import io.levelparty.impl.Protocol.MessageType;
import io.levelparty.impl.Protocol.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The follower cache of {@link Consistency#STRICT}: invalidate, then apply, then acknowledge.
 * Followers are real {@link PartyMap}s, or driven by hand over real sockets where a test needs
 * one that misbehaves.
 */
class StrictCacheTest {
    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @Test
    void aWriteByAnotherFollowerIsSeenByTheNextCachedRead() {
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> reader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> writer = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Role.FOLLOWER, reader.role());
            assertEquals(Role.FOLLOWER, writer.role());
            for (int i = 0; i < 300; i++) {
                writer.put("k", "v" + i);
                for (int read = 0; read < 3; read++) {
                    assertEquals("v" + i, reader.get("k"), "the write returned before the read began");
                }
                if (i % 10 == 0) {
                    leader.remove("k");
                    assertEquals(null, reader.get("k"), "a removal by the leader is seen at once too");
                }
            }
            PartyStats stats = reader.stats();
            assertTrue(stats.cacheHits() > 300, stats.toString());
        }
    }

    @Test
    void aFollowerThatDoesNotAcknowledgeIsCutOffAndItsLeaseWaitedOut() throws Exception {
        try (TestLeader leader = new TestLeader(dir);
                RawPeer lease = new RawPeer(leader.socket);
                RawPeer main = new RawPeer(leader.socket)) {
            leader.store.put(KEY, bytes("old"));
            long token = takeLease(lease);
            bindAndRead(main, token);

            long start = System.nanoTime();
            CompletableFuture<byte[]> write = CompletableFuture.supplyAsync(() -> leader.store.put(KEY, bytes("new")));
            Reply invalidate = nextInvalidate(lease);
            assertArrayEquals(KEY, invalidate.keys.get(0));
            // No ACK: the write waits for the deadline, then for the lease of the last stamp sent.
            assertArrayEquals(bytes("old"), write.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= CacheCoherence.ACK_DEADLINE_NANOS, "applied after " + waited + " ns");
            lease.assertClosedByLeader();
            assertArrayEquals(bytes("new"), leader.store.get(KEY));
            assertEquals(1, leader.store.coherence().cutOffs(), "the cut-off is counted once");
        }
    }

    @Test
    void aReadOfAKeyBeingWrittenIsNotCacheable() throws Exception {
        try (TestLeader leader = new TestLeader(dir);
                RawPeer lease = new RawPeer(leader.socket);
                RawPeer main = new RawPeer(leader.socket)) {
            leader.store.put(KEY, bytes("old"));
            long token = takeLease(lease);
            bindAndRead(main, token);
            CompletableFuture<byte[]> write = CompletableFuture.supplyAsync(() -> leader.store.put(KEY, bytes("new")));
            Reply invalidate = nextInvalidate(lease); // the write now waits for this follower's ACK
            main.send(w -> Protocol.writeRead(w, Protocol.MessageType.GET, 3, KEY));
            Reply during = main.readReply();
            assertEquals(MessageType.VALUE, during.type, "read while the write was pending");
            assertArrayEquals(bytes("old"), during.value);
            lease.send(w -> Protocol.writeAck(w, invalidate.count));
            assertArrayEquals(bytes("old"), write.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
            main.send(w -> Protocol.writeRead(w, Protocol.MessageType.GET, 4, KEY));
            Reply after = main.readReply();
            assertEquals(MessageType.CACHEABLE, after.type, "read after the write");
            assertArrayEquals(bytes("new"), after.value);
        }
    }

    @Test
    void aFollowerThatAcknowledgedIsAskedAgainOnlyOnceItReadsTheStripeAgain() throws Exception {
        try (TestLeader leader = new TestLeader(dir);
                RawPeer lease = new RawPeer(leader.socket);
                RawPeer main = new RawPeer(leader.socket)) {
            bindAndRead(main, takeLease(lease));
            CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> leader.store.put(KEY, bytes("1")));
            Reply invalidate = nextInvalidate(lease);
            lease.send(w -> Protocol.writeAck(w, invalidate.count));
            first.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

            // The follower dropped KEY's stripe and has not read it since: this write does not ask it
            // (asked and never answered, it would wait for the cut-off, and cut the lease off).
            assertArrayEquals(bytes("1"), leader.store.put(KEY, bytes("2")));

            main.send(w -> Protocol.writeRead(w, Protocol.MessageType.GET, 5, KEY));
            assertEquals(MessageType.CACHEABLE, main.readReply().type, "the lease was not cut off");
            CompletableFuture<byte[]> third = CompletableFuture.supplyAsync(() -> leader.store.put(KEY, bytes("3")));
            Reply again = nextInvalidate(lease);
            assertEquals(invalidate.count + 1, again.count, "no INVALIDATE was sent for the second write");
            assertArrayEquals(KEY, again.keys.get(0));
            lease.send(w -> Protocol.writeAck(w, again.count));
            assertArrayEquals(bytes("2"), third.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void aKeyWhoseStripeAnEarlierWriteInvalidatedIsReadFreshAfterItsOwnWrite() {
        List<String> keys = keysInStripeOf(KEY, 2);
        String first = keys.get(0);
        String second = keys.get(1);
        try (PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> reader = LevelParty.open(dir, Codecs.utf8());
                PartyMap<String> writer = LevelParty.open(dir, Codecs.utf8())) {
            long hitsBefore = FollowerCacheTest.awaitCaching(reader);
            for (int i = 0; i < 20; i++) {
                writer.put(first, "a" + i);
                writer.put(second, "b" + i);
                for (int read = 0; read < 2; read++) { // a miss that fills the cache, then a hit
                    assertEquals("a" + i, reader.get(first));
                    assertEquals("b" + i, reader.get(second));
                }
                writer.put(first, "c" + i); // the reader drops the stripe, both keys, and acknowledges
                writer.put(second, "d" + i); // so the leader need not ask it about this one
                assertEquals("d" + i, reader.get(second));
                assertEquals("c" + i, reader.get(first));
            }
            assertTrue(reader.stats().cacheHits() - hitsBefore >= 40, reader.stats().toString());
        }
    }

    /**
     * Once invalidations come without hits, a key is cached only from its second read lately: a
     * load over many keys, read once between writes, stops making writers wait at once.
     */
    @Test
    void afterAWastedInvalidationOnlyKeysReadLatelyAreCached() {
        FollowerCache cache = new FollowerCache(100, Consistency.STRICT, new ValueCodec<>(Codecs.bytes()));
        assertTrue(cache.willCache(bytes("first")), "with no invalidation yet, every read is cached");
        cache.fill("first", bytes("first"), bytes("1"), cache.ticket());
        cache.dropStripeOf(bytes("first")); // an invalidation, and no hit since the fill
        String fresh = keyOutsideStripeOf(bytes("first"));
        assertEquals(false, cache.willCache(bytes(fresh)), "a key not read lately is not cached");
        assertTrue(cache.willCache(bytes(fresh)), "its second read is");
    }

    @Test
    void anInvalidationDropsEveryCachedKeyOfItsStripeAndRefusesOlderReadsOfIt() {
        FollowerCache cache = new FollowerCache(100, Consistency.STRICT, new ValueCodec<>(Codecs.bytes()));
        List<String> sameStripe = keysInStripeOf(KEY, 3);
        long before = cache.ticket();
        cache.fill(sameStripe.get(0), bytes(sameStripe.get(0)), bytes("a"), cache.ticket());
        cache.fill(sameStripe.get(1), bytes(sameStripe.get(1)), bytes("b"), cache.ticket());
        cache.fill("k", KEY, bytes("v"), cache.ticket());
        String otherStripe = keysInStripeOf(bytes("elsewhere"), 1).get(0);
        cache.fill(otherStripe, bytes(otherStripe), bytes("c"), cache.ticket());

        cache.dropStripeOf(KEY);

        assertEquals(null, cache.get("k"));
        assertEquals(null, cache.get(sameStripe.get(0)), "a key of the same stripe");
        assertEquals(null, cache.get(sameStripe.get(1)), "a key of the same stripe");
        assertArrayEquals(bytes("c"), cache.get(otherStripe).value(), "a key of another stripe stays");
        cache.fill(sameStripe.get(2), bytes(sameStripe.get(2)), bytes("d"), before);
        assertEquals(null, cache.get(sameStripe.get(2)), "a read asked for before the drop is not cached");
        cache.fill(sameStripe.get(2), bytes(sameStripe.get(2)), bytes("d"), cache.ticket());
        assertArrayEquals(bytes("d"), cache.get(sameStripe.get(2)).value(), "a read asked for after it is");
    }

    /** Returns {@code n} keys other than {@code key} in its stripe. */
    /** Returns a key whose stripe is not that of {@code key}. */
    private static String keyOutsideStripeOf(byte[] key) {
        for (int i = 0; ; i++) {
            String candidate = "x" + i;
            if (CacheCoherence.stripeOf(bytes(candidate)) != CacheCoherence.stripeOf(key)) {
                return candidate;
            }
        }
    }

    private static List<String> keysInStripeOf(byte[] key, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < n; i++) {
            String candidate = "key" + i;
            if (CacheCoherence.stripeOf(bytes(candidate)) == CacheCoherence.stripeOf(key)
                    && !Arrays.equals(bytes(candidate), key)) {
                keys.add(candidate);
            }
        }
        return keys;
    }

    @Test
    void aWriteToKeysNoFollowerReadWaitsForNoFollower() throws Exception {
        try (TestLeader leader = new TestLeader(dir);
                RawPeer lease = new RawPeer(leader.socket);
                RawPeer main = new RawPeer(leader.socket)) {
            long token = takeLease(lease);
            bindAndRead(main, token);
            long start = System.nanoTime();
            for (int i = 0, written = 0; written < 100; i++) {
                byte[] other = bytes("other" + i);
                if (CacheCoherence.stripeOf(other) != CacheCoherence.stripeOf(KEY)) { // one stripe, one holder set
                    leader.store.put(other, bytes("v"));
                    written++;
                }
            }
            long took = System.nanoTime() - start;
            assertTrue(took < CacheCoherence.ACK_DEADLINE_NANOS, "100 writes took " + took + " ns");
        }
    }

    /**
     * Writes queued while an earlier one waits for a follower's acknowledgement share the next
     * wait: one INVALIDATE names all their keys. Their replies come in request order.
     */
    @Test
    void writesQueuedDuringAWaitShareOneInvalidationAndAreAnsweredInOrder() throws Exception {
        List<byte[]> keys = List.of(KEY, bytes("k2"), bytes("k3"));
        byte[] other = bytes("other");
        try (TestLeader leader = new TestLeader(dir);
                RawPeer lease = new RawPeer(leader.socket);
                RawPeer main = new RawPeer(leader.socket);
                RawPeer writersLease = new RawPeer(leader.socket);
                RawPeer writer = new RawPeer(leader.socket)) {
            bindAndRead(main, takeLease(lease));
            for (int i = 1; i < keys.size(); i++) {
                byte[] key = keys.get(i);
                main.send(w -> Protocol.writeRead(w, Protocol.MessageType.GET, 3, key));
                assertEquals(MessageType.CACHEABLE, main.readReply().type);
            }
            bindAndRead(writer, takeLease(writersLease));
            writer.send(w -> Protocol.writePut(w, 10, Protocol.UNSEQUENCED, Protocol.UNSEQUENCED, keys.get(0),
                    bytes("v0")));
            Reply first = nextInvalidate(lease); // the first write waits for the holder
            assertEquals(1, first.keys.size());
            writer.send(w -> {
                for (int i = 1; i < keys.size(); i++) {
                    Protocol.writePut(w, 10 + i, Protocol.UNSEQUENCED, Protocol.UNSEQUENCED, keys.get(i),
                            bytes("v" + i));
                }
                Protocol.writeRead(w, MessageType.GET, 20, other);
            });
            // The read behind them is answered while they wait, so both writes are queued by now.
            assertEquals(20, writer.readReply().id);
            lease.send(w -> Protocol.writeAck(w, first.count));
            Reply shared = nextInvalidate(lease);
            assertEquals(keys.size() - 1, shared.keys.size(), "one INVALIDATE for the two writes queued meanwhile");
            for (int i = 1; i < keys.size(); i++) {
                assertArrayEquals(keys.get(i), shared.keys.get(i - 1));
            }
            lease.send(w -> Protocol.writeAck(w, shared.count));
            for (int i = 0; i < keys.size(); i++) {
                Reply reply = writer.readReply();
                assertEquals(10 + i, reply.id, "replies in request order");
                assertArrayEquals(bytes("v" + i), leader.store.get(keys.get(i)));
            }
        }
    }

    /**
     * A follower's requests behind a write of its own that waits for another follower's
     * acknowledgement are served meanwhile, and a read of the key being written is not cacheable
     * until the write is applied: the follower reads its own write only after its reply.
     */
    @Test
    void aFollowersReadsAreServedWhileItsWriteWaitsForAnotherFollower() throws Exception {
        byte[] other = bytes("other");
        try (TestLeader leader = new TestLeader(dir);
                RawPeer holdersLease = new RawPeer(leader.socket);
                RawPeer holder = new RawPeer(leader.socket);
                RawPeer writersLease = new RawPeer(leader.socket);
                RawPeer writer = new RawPeer(leader.socket)) {
            leader.store.put(KEY, bytes("old"));
            leader.store.put(other, bytes("o"));
            bindAndRead(holder, takeLease(holdersLease)); // the holder may cache KEY: a write must wait for it
            bindAndRead(writer, takeLease(writersLease));
            writer.send(w -> {
                Protocol.writePut(w, 10, Protocol.UNSEQUENCED, Protocol.UNSEQUENCED, KEY, bytes("new"));
                Protocol.writeRead(w, MessageType.GET, 11, other);
                Protocol.writeRead(w, MessageType.GET, 12, KEY);
            });
            Reply invalidate = nextInvalidate(holdersLease); // the write waits for the holder's ACK
            Reply passing = writer.readReply();
            assertEquals(11, passing.id, "the read behind the waiting write was answered first");
            assertEquals(MessageType.CACHEABLE, passing.type);
            assertArrayEquals(bytes("o"), passing.value);
            Reply pending = writer.readReply();
            assertEquals(12, pending.id);
            assertEquals(MessageType.VALUE, pending.type, "a read of the key being written is not cacheable");
            assertArrayEquals(bytes("old"), pending.value);
            holdersLease.send(w -> Protocol.writeAck(w, invalidate.count));
            Reply written = writer.readReply();
            assertEquals(10, written.id);
            assertArrayEquals(bytes("old"), written.value);
            writer.send(w -> Protocol.writeRead(w, MessageType.GET, 13, KEY));
            Reply after = writer.readReply();
            assertEquals(MessageType.CACHEABLE, after.type, "read after the write was answered");
            assertArrayEquals(bytes("new"), after.value);
        }
    }

    /**
     * On a lease's connection a write that need not wait is applied while an earlier write of
     * another thread waits; the waiting one is still applied, once, when acknowledged.
     */
    @Test
    void aWriteThatNeedNotWaitPassesAWaitingOne() throws Exception {
        byte[] other = bytes("other");
        try (TestLeader leader = new TestLeader(dir);
                RawPeer holdersLease = new RawPeer(leader.socket);
                RawPeer holder = new RawPeer(leader.socket);
                RawPeer writersLease = new RawPeer(leader.socket);
                RawPeer writer = new RawPeer(leader.socket)) {
            bindAndRead(holder, takeLease(holdersLease));
            bindAndRead(writer, takeLease(writersLease));
            writer.send(w -> {
                Protocol.writePut(w, 10, 1, 0, KEY, bytes("k1"));
                Protocol.writePut(w, 11, 2, 0, other, bytes("o1"));
            });
            Reply invalidate = nextInvalidate(holdersLease);
            Reply passing = writer.readReply();
            assertEquals(11, passing.id, "the write no follower caches was answered first");
            assertArrayEquals(bytes("o1"), leader.store.get(other));
            assertEquals(null, leader.store.get(KEY), "the waiting write is not applied before its ACK");
            holdersLease.send(w -> Protocol.writeAck(w, invalidate.count));
            assertEquals(10, writer.readReply().id);
            assertArrayEquals(bytes("k1"), leader.store.get(KEY));
        }
    }

    /**
     * A write queued behind an invalidation is applied even if its follower goes away meanwhile,
     * and then no longer holds its stripe pending: reads of it are cacheable again.
     */
    @Test
    void aQueuedWriteOfAFollowerThatLeftIsAppliedAndReleasesItsStripe() throws Exception {
        try (TestLeader leader = new TestLeader(dir);
                RawPeer holdersLease = new RawPeer(leader.socket);
                RawPeer holder = new RawPeer(leader.socket);
                RawPeer writersLease = new RawPeer(leader.socket)) {
            bindAndRead(holder, takeLease(holdersLease));
            try (RawPeer writer = new RawPeer(leader.socket)) {
                bindAndRead(writer, takeLease(writersLease));
                writer.send(w -> Protocol.writePut(w, 10, 1, 0, KEY, bytes("gone")));
            }
            Reply invalidate = nextInvalidate(holdersLease);
            holdersLease.send(w -> Protocol.writeAck(w, invalidate.count));
            Poll.until(() -> Arrays.equals(bytes("gone"), leader.store.get(KEY)), "the queued write to be applied");
            Poll.until(() -> {
                try {
                    holder.send(w -> Protocol.writeRead(w, MessageType.GET, 20, KEY));
                    return holder.readReply().type == MessageType.CACHEABLE;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "reads of the written key to be cacheable again");
        }
    }

    /**
     * A write still waiting for a follower's acknowledgement when the leader closes ends with the
     * leader's term: its connection closes with no reply, and the follower's resend to the next
     * leader, under the same number, is applied once.
     */
    @Test
    void aWriteWaitingWhenTheLeaderClosesIsAppliedOnceByTheNextLeader() throws Exception {
        UUID client = UUID.randomUUID();
        TestLeader leader = new TestLeader(dir);
        try (RawPeer holdersLease = new RawPeer(leader.socket);
                RawPeer holder = new RawPeer(leader.socket);
                RawPeer writer = new RawPeer(leader.socket)) {
            bindAndRead(holder, takeLease(holdersLease));
            writer.handshake(client);
            writer.send(w -> Protocol.writePut(w, 10, 1, 0, KEY, bytes("new")));
            nextInvalidate(holdersLease); // never acknowledged: the write waits
            leader.close();
            writer.assertClosedByLeader();
        } finally {
            leader.close();
        }
        try (TestLeader next = new TestLeader(dir);
                RawPeer writer = new RawPeer(next.socket)) {
            assertNull(next.store.get(KEY), "the write was not applied when its term ended, nor answered");
            writer.handshake(client);
            writer.send(w -> Protocol.writePut(w, 20, 1, 0, KEY, bytes("new")));
            Reply applied = writer.readReply();
            assertEquals(20, applied.id);
            assertNull(applied.value, "applied now: there was no value before it");
            writer.send(w -> Protocol.writePut(w, 21, 1, 0, KEY, bytes("new")));
            assertNull(writer.readReply().value, "a second resend gets the outcome recorded then");
            assertArrayEquals(bytes("new"), next.store.get(KEY));
        }
    }

    /**
     * A connection bound to no lease may be a RELAXED cache's, which caches every read: its
     * requests behind a waiting write are served only after the write.
     */
    @Test
    void aConnectionWithoutALeaseIsServedInOrderBehindItsWaitingWrite() throws Exception {
        try (TestLeader leader = new TestLeader(dir);
                RawPeer holdersLease = new RawPeer(leader.socket);
                RawPeer holder = new RawPeer(leader.socket);
                RawPeer writer = new RawPeer(leader.socket)) {
            leader.store.put(KEY, bytes("old"));
            bindAndRead(holder, takeLease(holdersLease));
            writer.handshake();
            writer.send(w -> {
                Protocol.writePut(w, 10, Protocol.UNSEQUENCED, Protocol.UNSEQUENCED, KEY, bytes("new"));
                Protocol.writeRead(w, MessageType.GET, 11, KEY);
            });
            Reply invalidate = nextInvalidate(holdersLease);
            holdersLease.send(w -> Protocol.writeAck(w, invalidate.count));
            Reply written = writer.readReply();
            assertEquals(10, written.id, "the write was answered first");
            Reply read = writer.readReply();
            assertEquals(11, read.id);
            assertArrayEquals(bytes("new"), read.value, "the read behind the write saw it");
        }
    }

    @Test
    void aFollowerServesFromItsCacheOnlyWhileItsLeaseIsFresh() throws Exception {
        Path socket = dir.resolve("party.sock");
        long[] leaseStart = new long[1];
        List<Long> getsServedAt = new CopyOnWriteArrayList<>();
        CountDownLatch bound = new CountDownLatch(1);
        try (AFUNIXServerSocket server = AFUNIXServerSocket.newInstance()) {
            server.bind(AFUNIXSocketAddress.of(socket));
            // A leader that grants a lease, stamps it once and never again, and answers every GET after
            // the BIND CACHEABLE.
            CompletableFuture<Void> leader = CompletableFuture.runAsync(() -> {
                try (AFUNIXSocket main = server.accept()) {
                    FrameReader mainIn = new FrameReader(main.getInputStream());
                    Protocol.readHello(mainIn.next());
                    send(main, w -> Protocol.writeHelloReply(w, true, 1, ""));
                    try (AFUNIXSocket lease = server.accept()) {
                        FrameReader leaseIn = new FrameReader(lease.getInputStream());
                        Protocol.readHello(leaseIn.next());
                        send(lease, w -> Protocol.writeHelloReply(w, true, 1, ""));
                        Protocol.Request request = new Protocol.Request();
                        Protocol.readRequest(leaseIn.next(), request);
                        long id = request.id;
                        send(lease, w -> Protocol.writeGrantReply(w, id, 7, CacheCoherence.LEASE_NANOS));
                        leaseStart[0] = System.nanoTime();
                        send(lease, w -> Protocol.writeHeartbeat(w, leaseStart[0]));
                        for (FrameBody frame; (frame = mainIn.next()) != null; ) {
                            Protocol.readRequest(frame, request);
                            long replyTo = request.id;
                            if (request.type == MessageType.BIND) {
                                send(main, w -> Protocol.writeDoneReply(w, replyTo));
                                bound.countDown();
                            } else {
                                getsServedAt.add(System.nanoTime());
                                byte[] value = bytes("v" + getsServedAt.size());
                                boolean cacheable = bound.getCount() == 0;
                                send(main, w -> Protocol.writeValueReply(w, replyTo, value, cacheable));
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (RemoteStore follower = RemoteStore.connect(socket, TestLeader.REQUEST_TIMEOUT, TestLeader.REQUEST_TIMEOUT, UUID.randomUUID(),
                    new FollowerCache(100, Consistency.STRICT, new ValueCodec<>(Codecs.bytes())), java.util.Set.of(), false)) {
                // The first read, uncached, takes the lease in the background; reads are cached once it is bound.
                assertArrayEquals(bytes("v1"), follower.get(KEY));
                assertTrue(bound.await(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "the follower binds its lease");
                assertArrayEquals(bytes("v2"), follower.get(KEY));
                Poll.until(() -> Arrays.equals(bytes("v3"), follower.get(KEY)), "the follower asks again");
                assertEquals(3, getsServedAt.size());
                long askedAgainAfter = getsServedAt.get(2) - leaseStart[0];
                assertTrue(askedAgainAfter >= CacheCoherence.LEASE_NANOS, "asked again after " + askedAgainAfter + " ns");
                assertTrue(follower.get(KEY) != null);
                assertEquals(4, getsServedAt.size(), "an expired lease serves nothing from the cache");
            }
            leader.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A lease that ended leaves its slot, and its holder bits, to the next follower that takes a
     * lease; a write that its follower still sends on a connection bound to it must not skip the
     * new holder of the slot (it was skipped, and kept a stale value until it read the key again).
     */
    @Test
    void aWriteOnAConnectionWhoseLeaseEndedAsksTheFollowerNowHoldingItsSlot() throws Exception {
        UUID firstClient = UUID.randomUUID();
        try (TestLeader leader = new TestLeader(dir);
                RawPeer firstLease = new RawPeer(leader.socket);
                RawPeer firstMain = new RawPeer(leader.socket);
                RawPeer secondLease = new RawPeer(leader.socket);
                RawPeer secondMain = new RawPeer(leader.socket)) {
            leader.store.put(KEY, bytes("old"));
            long firstToken = takeLease(firstLease, firstClient);
            bindAndRead(firstMain, firstToken);
            firstLease.close(); // the follower ends its lease, and keeps its main connection a moment
            Poll.until(() -> leader.store.get(LeaseRecords.key(firstToken, firstClient)) == null,
                    "the first lease to be released");
            bindAndRead(secondMain, takeLease(secondLease, UUID.randomUUID())); // it caches KEY now

            firstMain.send(w -> Protocol.writePut(w, 3, Protocol.UNSEQUENCED, Protocol.UNSEQUENCED, KEY, bytes("new")));
            CompletableFuture<Reply> written = CompletableFuture.supplyAsync(() -> {
                try {
                    return firstMain.readReply();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Reply push;
            do {
                push = secondLease.readAny();
                assertTrue(push.type == MessageType.INVALIDATE || !written.isDone(),
                        "the write was applied without asking the follower that caches its key");
            } while (push.type != MessageType.INVALIDATE);
            long seq = push.count;
            secondLease.send(w -> Protocol.writeAck(w, seq));
            assertArrayEquals(bytes("old"), written.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS).value);
        }
    }

    /** An interrupt is not the end of a term: the write waits for the acknowledgement and keeps the flag. */
    @Test
    void anInterruptedWriterAtTheLeaderStillWaitsForTheFollowerAndKeepsItsInterrupt() throws Exception {
        try (TestLeader leader = new TestLeader(dir);
                RawPeer lease = new RawPeer(leader.socket);
                RawPeer main = new RawPeer(leader.socket)) {
            leader.store.put(KEY, bytes("old"));
            bindAndRead(main, takeLease(lease, UUID.randomUUID()));
            CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
            CompletableFuture<byte[]> write = CompletableFuture.supplyAsync(() -> {
                Thread.currentThread().interrupt();
                try {
                    return leader.store.put(KEY, bytes("new"));
                } finally {
                    interruptedAfter.complete(Thread.interrupted());
                }
            });
            Reply invalidate = nextInvalidate(lease);
            lease.send(w -> Protocol.writeAck(w, invalidate.count));
            assertArrayEquals(bytes("old"), write.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
            assertTrue(interruptedAfter.get(), "the interrupt flag is still set");
            main.send(w -> Protocol.writeRead(w, Protocol.MessageType.GET, 3, KEY));
            assertEquals(MessageType.CACHEABLE, main.readReply().type, "the lease was not cut off");
        }
    }

    /**
     * A follower may serve values cached under a lease of a leader that died until the lease
     * expires: the next leader applies no write before then, since it cannot know which keys the
     * follower holds.
     */
    @Test
    void aNewLeaderWritesNothingUntilTheLeasesItsPredecessorGrantedHaveExpired() throws Exception {
        UUID client = UUID.randomUUID();
        long token = grantAndCloseLeader(client);
        long opening = System.nanoTime();
        try (TestLeader next = new TestLeader(dir)) {
            next.store.put(KEY, bytes("new"));
            long waited = System.nanoTime() - opening;
            assertTrue(waited >= CacheCoherence.LEASE_NANOS, "wrote " + waited + " ns after taking the lock");
            assertEquals(null, next.store.get(LeaseRecords.key(token, client)), "the old lease's record is gone");
        }
    }

    /** Once every follower that held a lease of the last leader has connected to it, a new leader writes at once. */
    @Test
    void aNewLeaderLiftsItsFenceWhenEveryFormerLeaseHolderHasConnected() throws Exception {
        UUID client = UUID.randomUUID();
        long token = grantAndCloseLeader(client);
        try (TestLeader next = new TestLeader(dir);
                RawPeer main = new RawPeer(next.socket)) {
            assertTrue(next.store.get(LeaseRecords.key(token, client)) != null, "the fence waits for the follower");
            main.handshake(client);
            // No write is made: only the follower's arrival can lift the fence and delete the record.
            Poll.until(() -> next.store.get(LeaseRecords.key(token, client)) == null, "the fence to lift");
            next.store.put(KEY, bytes("new"));
        }
    }

    /** A follower that died with the old leader serves nothing: the next leader does not wait for it. */
    @Test
    void aNewLeaderDoesNotWaitForAFormerLeaseHolderThatDied() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        UUID client = UUID.randomUUID();
        long token = 42;
        LocalStore first = LocalStore.tryOpen(dir.resolve("db"));
        first.recordLease(token, client, gone.pid());
        first.close();
        try (TestLeader next = new TestLeader(dir)) {
            assertEquals(null, next.store.get(LeaseRecords.key(token, client)),
                    "no fence: the record was dropped at once, before any write or arrival");
        }
    }

    /**
     * Starts a leader, grants {@code client} a lease, and closes the leader while the lease is
     * held, as a dying leader would leave it; returns the lease's token.
     */
    private long grantAndCloseLeader(UUID client) throws Exception {
        TestLeader first = new TestLeader(dir);
        try (RawPeer lease = new RawPeer(first.socket)) {
            long token = takeLease(lease, client);
            first.close(); // the lease ends with the leader, before it could expire: its record stays
            return token;
        } finally {
            first.close();
        }
    }

    private static void send(AFUNIXSocket socket, Consumer<FrameBuffer> writer) throws IOException {
        FrameBuffer frames = new FrameBuffer();
        writer.accept(frames);
        frames.writeTo(socket.getOutputStream());
    }

    /** Reads frames from the lease connection until an INVALIDATE: heartbeats come between. */
    private static Reply nextInvalidate(RawPeer lease) throws Exception {
        for (;;) {
            Reply push = lease.readAny();
            if (push.type == MessageType.INVALIDATE) {
                return push;
            }
            assertEquals(MessageType.HEARTBEAT, push.type);
        }
    }

    /** Turns {@code lease} into a lease connection and returns its token. */
    private static long takeLease(RawPeer lease) throws Exception {
        return takeLease(lease, UUID.randomUUID());
    }

    /** Turns {@code lease}, a connection of {@code client}, into a lease connection and returns its token. */
    private static long takeLease(RawPeer lease, UUID client) throws Exception {
        lease.handshake(client);
        lease.send(w -> Protocol.writeLease(w, 1));
        Reply grant = lease.readReply();
        assertEquals(MessageType.GRANT, grant.type);
        assertEquals(CacheCoherence.LEASE_NANOS, grant.leaseNanos);
        assertEquals(MessageType.HEARTBEAT, lease.readAny().type);
        return grant.token;
    }

    /** Binds {@code main} to the lease and reads KEY through it, which makes the follower one that may cache it. */
    private static void bindAndRead(RawPeer main, long token) throws Exception {
        main.handshake();
        main.send(w -> Protocol.writeBind(w, 1, token));
        assertEquals(MessageType.DONE, main.readReply().type);
        main.send(w -> Protocol.writeRead(w, Protocol.MessageType.GET, 2, KEY));
        assertEquals(MessageType.CACHEABLE, main.readReply().type);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
