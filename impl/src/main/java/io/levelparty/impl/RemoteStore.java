package io.levelparty.impl;

import io.levelparty.Change;
import io.levelparty.Consistency;
import io.levelparty.PartyFollower;
import io.levelparty.PartyProtocolException;
import io.levelparty.PartyUnavailableException;
import io.levelparty.Role;
import io.levelparty.Subscription;
import io.levelparty.impl.FollowerSideConnection.Call;
import io.levelparty.impl.FollowerSideConnection.RequestWriter;
import io.levelparty.impl.FollowerSideHandshake.Link;
import io.levelparty.impl.Protocol.MessageType;
import io.levelparty.impl.Protocol.Reply;
import io.levelparty.spi.ChangeListener;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A follower's store: every call is a request to the leader over this process's
 * {@link FollowerSideConnection}, and point reads may be served from a {@link FollowerCache}.
 *
 * <p>Calls fail as the connection's do: a call that gets no reply within the request timeout
 * throws {@link PartyUnavailableException} (its request may still take effect at the leader); once
 * the connection is lost every waiting and later call throws {@link ConnectionLostException}, and
 * each callback registered with {@link #onConnectionLost} runs once; after {@link #close()} calls
 * throw {@link TermEndedException}. A request larger than the protocol's maximum frame throws
 * {@link IllegalArgumentException} and leaves the connection as it was.
 */
final class RemoteStore implements PartyStore, FollowerSideConnection.Handler {
    /*
     * Implementation overview.
     *
     * Requests. Each method encodes its request with Protocol into the connection's send buffer
     * and reads what the reply left in the Call. The encoding runs under the connection's send
     * lock, in request-id order, and so does whatever must be ordered with the request on the
     * wire: a read takes its cache ticket there, a write drops its keys from the cache there.
     *
     * Caching. A read result is cached only if no drop of its key's stripe came after its ticket
     * (see FollowerCache). Under STRICT the cache serves only while the lease (FollowerSideLease,
     * on a connection of its own) is fresh; the lease's INVALIDATEs drop keys, and the leader
     * answers a read CACHEABLE only once this connection is bound to the lease. Under RELAXED the
     * connection asks for the leader's changes, and each pushed EVENT drops its keys. Either way
     * this process's own writes drop their keys as they are queued, so it reads its own writes.
     *
     * Ending. Once the connection is over the cache serves nothing (cached reads `over` after the
     * entry); a lost connection also clears it, since invalidations and pushes may have been lost
     * with the leader; and the lease ends after `over` is set, which is how the leader learns that
     * this process no longer serves cached values.
     */
    /** Receives the leader's EVENT pushes once subscribed. */
    private volatile ChangeListener changeListener;
    /**
     * Serves point reads when not null: under RELAXED, EVENT pushes drop its keys; under STRICT,
     * the lease's INVALIDATEs, and it serves only while the lease is fresh.
     */
    private final FollowerCache cache;
    /** The cache's lease under STRICT, else null; started by {@link #startLease}. */
    private final FollowerSideLease lease;
    /** Whether {@link #startLease} has started the lease. */
    private final AtomicBoolean leaseAsked = new AtomicBoolean();
    private final Path socketPath;
    private final FollowerSideConnection connection;

    private RemoteStore(Path socketPath, Duration requestTimeout, Link link, FollowerCache cache,
            FollowerSideLease lease) throws IOException {
        this.cache = cache;
        this.lease = lease;
        this.socketPath = socketPath;
        this.connection = new FollowerSideConnection(socketPath, requestTimeout, link, this);
    }

    /**
     * Connects to the leader at {@code socketPath} and runs the handshake.
     *
     * @param requestTimeout how long a call waits for a reply, and the connect and the handshake each
     * @param clientId this process incarnation's id
     * @throws IOException if nobody serves the path (no file, or connection refused), or the leader
     *     closes the connection or does not answer during the handshake: the caller may re-elect
     * @throws PartyProtocolException if the leader refuses this process or speaks another protocol
     */
    static RemoteStore connect(Path socketPath, Duration requestTimeout, UUID clientId) throws IOException {
        return connect(socketPath, requestTimeout, requestTimeout, clientId, null, Set.of(), false);
    }

    /**
     * As {@link #connect(Path, Duration, UUID)}, serving point reads from {@code cache} when it is
     * not null: the connection then subscribes to the leader's changes, which drop cached keys. A
     * leader of a user id in {@code trustedUids}, besides this process's own, is trusted too.
     * Connecting and the handshake each take at most {@code handshakeTimeout}. With
     * {@code syncWrites}, the leader syncs its log before it answers each write of this connection.
     */
    static RemoteStore connect(Path socketPath, Duration requestTimeout, Duration handshakeTimeout, UUID clientId,
            FollowerCache cache, Set<Integer> trustedUids, boolean syncWrites) throws IOException {
        Link link = FollowerSideHandshake.run(socketPath, handshakeTimeout, clientId, syncWrites, trustedUids,
                connected -> { });
        FollowerSideLease lease = cache != null && cache.consistency() == Consistency.STRICT
                ? new FollowerSideLease(socketPath, requestTimeout, clientId, trustedUids, cache) : null;
        try {
            RemoteStore store = new RemoteStore(socketPath, requestTimeout, link, cache, lease);
            store.connection.start();
            if (cache != null) {
                cache.clear(); // what an earlier term cached may be stale now
                if (lease == null) {
                    store.askForChanges();
                }
            }
            return store;
        } catch (IOException | RuntimeException e) {
            FollowerSideHandshake.closeQuietly(link.socket(), e);
            throw e;
        }
    }

    /**
     * Under RELAXED, makes the cache usable: asks the leader to push its changes.
     *
     * @throws IOException if the leader went away meanwhile
     */
    private void askForChanges() throws IOException {
        try {
            connection.startPushes();
        } catch (ConnectionLostException | PartyUnavailableException e) {
            close();
            throw new IOException("The leader at " + socketPath + " went away while this process set up its cache", e);
        }
    }

    /**
     * Under STRICT, opens the lease in the background, once, at the first read the cache could
     * serve; the lease then binds this connection to it, so that the leader may answer its reads
     * CACHEABLE. Until then reads are uncached. A follower that never reads holds no lease: no
     * connection and no heartbeats for it, and nothing for a next leader to wait for before it
     * writes (see CacheCoherence, A new term), which every failover with an idle or write-only
     * follower paid for.
     */
    private void startLease() {
        if (connection.isOver() || !leaseAsked.compareAndSet(false, true)) {
            return;
        }
        lease.start(token -> {
            try {
                connection.call(MessageType.BIND, MessageType.DONE,
                        (wire, call) -> Protocol.writeBind(wire, call.id, token));
            } catch (PartyUnavailableException e) {
                throw new IOException("The leader at " + socketPath + " lost this process's cache lease", e);
            }
        }, connection::lose);
    }

    // ---------------------------------------------------------------- PartyStore

    /** {@inheritDoc} {@code key} is the UTF-8 of a map key, as every key the map reads is. */
    @Override
    public byte[] get(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (cache == null) {
            return fetch(null, key);
        }
        String k = Keys.decode(key);
        FollowerCache.Entry hit = cached(k);
        if (hit != null) {
            return hit.value() == null ? null : hit.value().clone();
        }
        return fetch(k, key);
    }

    /**
     * Returns the cached read of the map key {@code key} if the cache may serve it now, else null,
     * counting a miss (the caller then calls {@link #fetch}). The entry's bytes are the cache's own:
     * the caller must not hand them out.
     */
    FollowerCache.Entry cached(String key) {
        if (cache == null) {
            return null;
        }
        if (lease != null && !leaseAsked.get()) {
            startLease();
        }
        // The lease first, then the entry: an entry still there after a fresh lease was seen is
        // one whose invalidation had not been processed, so no write of it has been applied yet.
        FollowerCache.Entry hit = lease == null || lease.isFresh() ? cache.get(key) : cache.missed();
        // Once the leader is lost, invalidations may have been lost with it. The connection is over
        // before this process says HELLO to the next leader, which waits for that before it writes
        // (see CacheCoherence, A new term): a hit returned here was current when this was read.
        return connection.isOver() ? null : hit;
    }

    /**
     * Reads {@code bytes}, the UTF-8 of the map key {@code key}, from the leader, without looking in
     * the cache, and caches the value if the leader lets it; {@code key} may be null if this store
     * does not cache. Returns a value that the caller may keep.
     */
    byte[] fetch(String key, byte[] bytes) {
        Objects.requireNonNull(bytes, "key");
        boolean caching = cache != null && cache.willCache(bytes);
        MessageType type = caching || cache == null ? MessageType.GET : MessageType.PEEK;
        // Two writers, so that a read that will not be cached allocates no more than its key's capture.
        RequestWriter read = caching
                ? (wire, queued) -> {
                    Protocol.writeRead(wire, MessageType.GET, queued.id, bytes);
                    queued.ticket = cache.ticket();
                }
                : (wire, queued) -> Protocol.writeRead(wire, type, queued.id, bytes);
        Call call = connection.call(type, MessageType.VALUE, read);
        byte[] value = (byte[]) call.result;
        if (caching && (lease == null || call.cacheable)) {
            cache.fill(key, bytes, value, call.ticket);
        }
        return value;
    }

    @Override
    public byte[] put(byte[] key, byte[] value) {
        return put(key, value, Protocol.UNSEQUENCED, Protocol.UNSEQUENCED);
    }

    @Override
    public byte[] delete(byte[] key) {
        return delete(key, Protocol.UNSEQUENCED, Protocol.UNSEQUENCED);
    }

    @Override
    public boolean compareAndSet(byte[] key, byte[] expected, byte[] update) {
        return compareAndSet(key, expected, update, Protocol.UNSEQUENCED, Protocol.UNSEQUENCED);
    }

    @Override
    public void batch(List<StoreWrite> writes) {
        batch(writes, Protocol.UNSEQUENCED, Protocol.UNSEQUENCED);
    }

    @Override
    public StoreEntry navigate(byte[] key, Relation relation) {
        Objects.requireNonNull(relation, "relation");
        return (StoreEntry) connection.call(MessageType.NAVIGATE, MessageType.ENTRY,
                (wire, call) -> Protocol.writeNavigate(wire, call.id, key, relation)).result;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<StoreEntry> scan(KeyRange range, boolean descending, int limit) {
        Objects.requireNonNull(range, "range");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return (List<StoreEntry>) connection.call(MessageType.SCAN, MessageType.PAGE,
                (wire, call) -> Protocol.writeScan(wire, call.id, range, descending, limit)).result;
    }

    @Override
    public long count(KeyRange range) {
        Objects.requireNonNull(range, "range");
        return connection.call(MessageType.COUNT, MessageType.NUMBER,
                (wire, call) -> Protocol.writeCount(wire, call.id, range)).count;
    }

    @Override
    public List<PartyFollower> followers() {
        @SuppressWarnings("unchecked")
        List<PartyFollower> followers = (List<PartyFollower>) connection.call(MessageType.FOLLOWERS,
                MessageType.FOLLOWER_LIST, (wire, call) -> Protocol.writeFollowers(wire, call.id)).result;
        return followers;
    }

    /** {@inheritDoc} The leader writes it, within this store's request timeout. */
    @Override
    public void backup(Path destination) {
        String absolute = destination.toAbsolutePath().toString();
        connection.call(MessageType.BACKUP, MessageType.DONE,
                (wire, call) -> Protocol.writeBackup(wire, call.id, absolute));
    }

    @Override
    public void compact(KeyRange range) {
        Objects.requireNonNull(range, "range");
        connection.call(MessageType.COMPACT, MessageType.DONE,
                (wire, call) -> Protocol.writeCompact(wire, call.id, range));
    }

    @Override
    public Role role() {
        return Role.FOLLOWER;
    }

    // ---------------------------------------------------------------- writes numbered for exactly-once delivery

    /** {@link #put(byte[], byte[])} as the write numbered {@code seq} (see {@link Protocol} on seq and ackedUpTo). */
    byte[] put(byte[] key, byte[] value, long seq, long ackedUpTo) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return (byte[]) connection.call(MessageType.PUT, MessageType.VALUE, (wire, call) -> {
            Protocol.writePut(wire, call.id, seq, ackedUpTo, key, value);
            dropQueued(key);
        }).result;
    }

    /** {@link #delete(byte[])} as the write numbered {@code seq}. */
    byte[] delete(byte[] key, long seq, long ackedUpTo) {
        Objects.requireNonNull(key, "key");
        return (byte[]) connection.call(MessageType.DELETE, MessageType.VALUE, (wire, call) -> {
            Protocol.writeDelete(wire, call.id, seq, ackedUpTo, key);
            dropQueued(key);
        }).result;
    }

    /** {@link #compareAndSet(byte[], byte[], byte[])} as the write numbered {@code seq}. */
    boolean compareAndSet(byte[] key, byte[] expected, byte[] update, long seq, long ackedUpTo) {
        Objects.requireNonNull(key, "key");
        return connection.call(MessageType.CAS, MessageType.FLAG, (wire, call) -> {
            Protocol.writeCompareAndSet(wire, call.id, seq, ackedUpTo, key, expected, update);
            dropQueued(key);
        }).flag;
    }

    /** {@link #batch(List)} as the write numbered {@code seq}. */
    void batch(List<StoreWrite> writes, long seq, long ackedUpTo) {
        Objects.requireNonNull(writes, "writes");
        for (StoreWrite write : writes) {
            Objects.requireNonNull(write, "writes contains null");
        }
        connection.call(MessageType.BATCH, MessageType.DONE, (wire, call) -> {
            Protocol.writeBatch(wire, call.id, seq, ackedUpTo, writes);
            for (StoreWrite write : writes) {
                dropQueued(write.key());
            }
        });
    }

    /**
     * Drops {@code key}, which a write of this process changes, from the cache; called as the
     * write's request is queued. Every read whose request was queued before is then refused its
     * fill (its ticket predates the drop), and every read queued after is served after the write,
     * or, under STRICT, while the write is pending, and then not cacheable (the leader marks a
     * write pending before it reads the next request, see {@link LeaderSideConnection}): so this
     * process reads its own writes, and the leader need not invalidate this process's cache for
     * them (see {@link CacheCoherence}).
     */
    private void dropQueued(byte[] key) {
        if (cache != null) {
            cache.drop(key);
        }
    }

    /**
     * {@inheritDoc} The listener is called by whichever thread reads the socket when an EVENT
     * arrives (a caller waiting for its reply, or the watcher): it must not block. One listener per
     * connection; the subscription lasts as long as the connection.
     */
    @Override
    public Subscription subscribe(ChangeListener listener) {
        Objects.requireNonNull(listener, "listener");
        changeListener = listener; // before SUBSCRIBE: events may overtake its reply
        connection.startPushes();
        return () -> changeListener = null;
    }

    /** Returns the leader's process id. */
    long leaderPid() {
        return connection.leaderPid();
    }

    /** Waits for a round trip to the leader. */
    void ping() {
        connection.call(MessageType.PING, MessageType.DONE, (wire, call) -> Protocol.writePing(wire, call.id));
    }

    /** As {@link FollowerSideConnection#onConnectionLost}. */
    void onConnectionLost(Runnable callback) {
        connection.onConnectionLost(callback);
    }

    /** Closes the connection; waiting and later calls throw {@link TermEndedException}. Idempotent. */
    @Override
    public void close() {
        connection.close();
    }

    // ---------------------------------------------------------------- the connection's events

    /**
     * Applies a push: an EVENT drops its keys from the cache, then goes to the change listener; an
     * EVENTS_LOST clears the cache, then tells the listener of the gap.
     */
    @Override
    public void onPush(Reply push) {
        ChangeListener listener = changeListener;
        if (push.type == MessageType.EVENT) {
            if (cache != null) {
                for (StoreWrite write : push.writes) {
                    cache.drop(write.key());
                }
            }
            if (listener != null) {
                listener.onChanges(push.count, push.writes);
            }
        } else if (push.type == MessageType.EVENTS_LOST) {
            if (cache != null) {
                cache.clear();
            }
            if (listener != null) {
                listener.onGap(Change.GapReason.OVERFLOW);
            }
        }
    }

    /** Clears the cache if the connection was lost, then ends the lease. */
    @Override
    public void onEnding(boolean lost) {
        if (lost && cache != null) {
            cache.clear();
        }
        if (lease != null) {
            lease.end(); // after `over`: the leader takes its end as this process no longer serving cached values
        }
    }

    /** Closes the lease. */
    @Override
    public void onEnded() {
        if (lease != null) {
            lease.close(); // once its BIND, if it was waiting for it, has failed
        }
    }

    @Override
    public String toString() {
        return "RemoteStore[" + socketPath + ", leader pid " + connection.leaderPid() + "]";
    }
}
