package io.levelparty.impl;

import io.levelparty.Change;
import io.levelparty.Consistency;
import io.levelparty.PartyException;
import io.levelparty.PartyFollower;
import io.levelparty.PartyProtocolException;
import io.levelparty.PartyUnavailableException;
import io.levelparty.Role;
import io.levelparty.Subscription;
import io.levelparty.impl.Protocol.ErrorKind;
import io.levelparty.impl.Protocol.HelloReply;
import io.levelparty.impl.Protocol.MessageType;
import io.levelparty.impl.Protocol.Reply;
import io.levelparty.spi.ChangeListener;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's store: every call is a request to the leader over one Unix-socket connection, which
 * all threads of the process share, speaking the {@link Protocol}.
 *
 * <p>Calls from many threads are in flight at once. Each waits for its reply at most the request
 * timeout, then throws {@link PartyUnavailableException} naming the socket; its request may still
 * take effect at the leader. When the connection is lost (the leader closed it or died, or broke
 * the protocol), every waiting call and every later one throws {@link ConnectionLostException} at
 * once, and each callback registered with {@link #onConnectionLost} runs once. After
 * {@link #close()} calls throw {@link TermEndedException} and no callback runs. A request larger
 * than the protocol's maximum frame throws {@link IllegalArgumentException} and leaves the
 * connection as it was.
 */
final class RemoteStore implements PartyStore {
    /*
     * Implementation overview.
     *
     * Sending. A caller encodes its request straight into the shared `pending` buffer under
     * `sendLock`, and registers its Call in `calls` in the same critical section. If no flush is in
     * progress it becomes the flusher: it swaps `pending` with the empty `spare` under the lock and
     * writes the whole batch in one write outside it, then repeats until `pending` is empty, while
     * other callers keep appending and leave without writing. So under load one write carries many
     * requests, and no request waits for a hand-off to another thread (a cross-CPU wake-up costs
     * more than the write itself). Frames reach the socket in the order they were appended, which
     * is the order of their request ids.
     *
     * Receiving. Whoever waits for a reply reads the socket itself, so that in the common case the
     * kernel wakes the caller directly when its reply arrives, as in a plain blocking round trip,
     * rather than waking a reader thread that must then wake the caller (a second cross-CPU
     * wake-up, which costs more than the round trip itself on a small machine). The socket has one
     * reader at a time: the thread holding `reading`. It decodes frames and completes their calls
     * (removing the Call from `calls` and unparking its waiter) until its own call is done, then
     * lets go; if calls are still waiting, it unparks one of their waiters to read next. Waiters
     * that do not read park at most IDLE_NANOS at a time and try for `reading` again, so a reply
     * never waits for a wake-up that was missed. A waiter that times out removes its own Call;
     * whichever of it and the reader removes the Call decides the outcome, so a late reply finds
     * nothing and is dropped.
     *
     * Watching. With no call for IDLE_NANOS (PUSH_IDLE_NANOS once the leader pushes changes), the
     * `watcher` thread takes `reading` and blocks on the socket, reading frame after frame until a
     * call is made again, so an idle follower learns at once that the leader has gone (and re-elects
     * eagerly through the connection-lost callbacks). A reply that arrives while it reads is
     * delivered by it, with one hand-off to the caller; it then lets go, until the next idle spell.
     *
     * Timeouts. SO_TIMEOUT in junixsocket sets both SO_RCVTIMEO and SO_SNDTIMEO. A read timeout
     * just returns the reader to its loop (the watcher reads on; a caller checks its deadline); a
     * write that the leader does not take within the timeout fails, possibly part-way through a
     * frame, so it counts as a lost connection.
     *
     * Loss. The first of the reader (end of stream, IO error, malformed frame) and a flusher (IO
     * error) to see the connection fail records the cause under `sendLock`; from then on no call is
     * registered, so failing every call in `calls` afterwards fails them all, the reader's own too.
     */
    private static final Logger log = LoggerFactory.getLogger(RemoteStore.class);
    /** How long without a call before the watcher reads; also the longest a waiter parks at a time. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * {@link #IDLE_NANOS} once the leader pushes changes: how late after this process's last call
     * a pushed change may be read, bounding how long a RELAXED cache serves an overwritten value.
     */
    private static final long PUSH_IDLE_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final Path socketPath;
    private final Duration requestTimeout;
    private final long leaderPid;
    private final AFUNIXSocket socket;
    private final OutputStream out;
    private final FrameReader input;
    private final Thread watcher;
    private final ConcurrentHashMap<Long, Call> calls = new ConcurrentHashMap<>();
    /** The right to read the socket; `input` and `reply` belong to its holder. */
    private final AtomicBoolean reading = new AtomicBoolean();
    private final Reply reply = new Reply();
    /** Receives the leader's EVENT pushes once subscribed. */
    private volatile ChangeListener changeListener;
    /**
     * Serves point reads when not null: under RELAXED, EVENT pushes drop its keys; under STRICT,
     * the lease's INVALIDATEs, and it serves only while the lease is fresh.
     */
    private final FollowerCache cache;
    /** The cache's lease under STRICT, else null. */
    private final FollowerSideLease lease;
    /** Whether the leader pushes this connection its changes. */
    private final AtomicBoolean pushing = new AtomicBoolean();
    /** When the last call was made, as System.nanoTime(). */
    private volatile long lastCallNanos = System.nanoTime();
    /** Closed or lost: set under sendLock, read without it. */
    private volatile boolean over;

    private final ReentrantLock sendLock = new ReentrantLock();
    // Guarded by sendLock:
    private FrameBuffer pending = new FrameBuffer();
    private FrameBuffer spare = new FrameBuffer();
    private boolean flushing;
    private long lastRequestId;
    private Throwable lostCause;
    private boolean closed;
    private final List<Runnable> lostCallbacks = new ArrayList<>();

    private RemoteStore(Path socketPath, Duration requestTimeout, Link link, FollowerCache cache, FollowerSideLease lease)
            throws IOException {
        this.cache = cache;
        this.lease = lease;
        this.socketPath = socketPath;
        this.requestTimeout = requestTimeout;
        this.leaderPid = link.leaderPid();
        this.socket = link.socket();
        this.out = socket.getOutputStream();
        this.input = link.input();
        this.watcher = new Thread(this::watch, "levelparty-follower-watcher");
        watcher.setDaemon(true);
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
        Link link = handshake(socketPath, handshakeTimeout, clientId, syncWrites, trustedUids, connected -> { });
        FollowerSideLease lease = cache != null && cache.consistency() == Consistency.STRICT
                ? new FollowerSideLease(socketPath, requestTimeout, clientId, trustedUids, cache) : null;
        try {
            RemoteStore store = new RemoteStore(socketPath, requestTimeout, link, cache, lease);
            store.watcher.start();
            if (cache != null) {
                cache.clear(); // what an earlier term cached may be stale now
                store.startCaching();
            }
            return store;
        } catch (IOException | RuntimeException e) {
            closeQuietly(link.socket(), e);
            throw e;
        }
    }

    /** A connection to the leader after its handshake accepted this process. */
    record Link(AFUNIXSocket socket, FrameReader input, long leaderPid) {}

    /**
     * Connects to the leader at {@code socketPath} and runs the handshake, passing the socket to
     * {@code connected} as soon as it is connected, so that it can be closed to end the handshake.
     * Nothing is sent before the peer's credentials show a process of this user, or of one in
     * {@code trustedUids}: anyone else who got to bind the path first is an impostor, and is told
     * nothing (not even this process's client id). {@code syncWrites} goes in the HELLO.
     *
     * @throws IOException as {@link #connect(Path, Duration, UUID)}
     * @throws PartyProtocolException if the peer is not trusted, or refuses this process
     */
    static Link handshake(Path socketPath, Duration requestTimeout, UUID clientId, boolean syncWrites,
            Set<Integer> trustedUids, Consumer<AFUNIXSocket> connected) throws IOException {
        Objects.requireNonNull(clientId, "clientId");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
        }
        AFUNIXSocketAddress address = LeaderServer.addressOf(socketPath);
        // Encoded before connecting: the first encoding in a process loads classes, which on a
        // busy machine should not count against the time the leader waits for a HELLO.
        FrameBuffer hello = new FrameBuffer();
        Protocol.writeHello(hello, clientId, ThisProcess.PID, syncWrites);
        AFUNIXSocket socket = AFUNIXSocket.newInstance();
        try {
            // SO_SNDTIMEO (which SO_TIMEOUT sets too) also bounds a connect to a listener whose
            // backlog is full, as a stopped leader's soon is: without it, connect waits for ever.
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, requestTimeout.toMillis())));
            socket.connect(address);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket, e);
            throw new SocketTimeoutException("The leader at " + socketPath + " accepted no connection within "
                    + requestTimeout + " (its backlog is full: it is stopped, or too busy)");
        } catch (SocketException e) {
            closeQuietly(socket, e);
            ConnectException noLeader = new ConnectException("No leader serves " + socketPath + ": " + e.getMessage());
            noLeader.initCause(e);
            throw noLeader;
        }
        connected.accept(socket);
        try {
            checkTrusted(socket, socketPath, trustedUids);
            hello.writeTo(socket.getOutputStream());
            FrameReader input = new FrameReader(socket.getInputStream());
            HelloReply reply = readHelloReply(input, socketPath, requestTimeout);
            if (!reply.accepted()) {
                throw new PartyProtocolException("The leader at " + socketPath + " (pid " + reply.pid()
                        + ") refused this process: " + reply.message());
            }
            if (reply.version() != Protocol.VERSION) {
                throw new PartyProtocolException("The leader at " + socketPath + " accepted this process but speaks "
                        + "protocol version " + reply.version() + ", not " + Protocol.VERSION);
            }
            return new Link(socket, input, reply.pid());
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket, e);
            throw e;
        }
    }

    /** Refuses a peer that is neither of this process's user nor of one in {@code trustedUids}. */
    private static void checkTrusted(AFUNIXSocket socket, Path socketPath, Set<Integer> trustedUids)
            throws IOException {
        AFUNIXSocketCredentials peer = socket.getPeerCredentials();
        long uid = peer.getUid();
        if (uid != ThisProcess.UID && !(uid == (int) uid && trustedUids.contains((int) uid))) {
            throw new PartyProtocolException("The process serving " + socketPath + " (pid " + peer.getPid()
                    + ", uid " + uid + ") is not a leader this process trusts: its user id is neither this process's ("
                    + ThisProcess.UID + ") nor one that PartyOptions.allowUid names; nothing was sent to it");
        }
    }

    private static void closeQuietly(AFUNIXSocket socket, Exception failure) {
        try {
            socket.close();
        } catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    /**
     * Makes the cache usable: under STRICT opens the lease in the background, which binds this
     * connection to it, so that the leader may answer its reads CACHEABLE; under RELAXED asks the
     * leader to push its changes.
     *
     * @throws IOException if the leader went away meanwhile
     */
    private void startCaching() throws IOException {
        if (lease != null) {
            lease.start(token -> {
                try {
                    call(MessageType.BIND, MessageType.DONE, (wire, id) -> Protocol.writeBind(wire, id, token));
                } catch (PartyUnavailableException e) {
                    throw new IOException("The leader at " + socketPath + " lost this process's cache lease", e);
                }
            }, this::lose);
            return;
        }
        try {
            startPushes();
        } catch (ConnectionLostException | PartyUnavailableException e) {
            close();
            throw new IOException("The leader at " + socketPath + " went away while this process set up its cache", e);
        }
    }

    private static HelloReply readHelloReply(FrameReader input, Path socketPath, Duration timeout) throws IOException {
        try {
            FrameBody frame = input.next();
            if (frame == null) {
                throw new EOFException("The leader at " + socketPath + " closed the connection during the handshake");
            }
            return Protocol.readHelloReply(frame);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException(
                    "No handshake reply from the leader at " + socketPath + " within " + timeout);
        } catch (MalformedFrameException e) {
            throw new PartyProtocolException("The peer at " + socketPath
                    + " does not speak LevelParty's protocol version " + Protocol.VERSION + ": " + e.getMessage());
        }
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
        // The lease first, then the entry: an entry still there after a fresh lease was seen is
        // one whose invalidation had not been processed, so no write of it has been applied yet.
        FollowerCache.Entry hit = lease == null || lease.isFresh() ? cache.get(key) : cache.missed();
        // Once the leader is lost, invalidations may have been lost with it. `over` is set before
        // this process says HELLO to the next leader, which waits for that before it writes (see
        // CacheCoherence, A new term): a hit returned here was current when `over` was read.
        return over ? null : hit;
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
        Call call = call(type, MessageType.VALUE, (wire, id) -> Protocol.writeRead(wire, type, id, bytes),
                caching ? queued -> queued.ticket = cache.ticket() : NO_CACHE_STEP);
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
        return (StoreEntry) call(MessageType.NAVIGATE, MessageType.ENTRY,
                (wire, id) -> Protocol.writeNavigate(wire, id, key, relation)).result;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<StoreEntry> scan(KeyRange range, boolean descending, int limit) {
        Objects.requireNonNull(range, "range");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return (List<StoreEntry>) call(MessageType.SCAN, MessageType.PAGE,
                (wire, id) -> Protocol.writeScan(wire, id, range, descending, limit)).result;
    }

    @Override
    public long count(KeyRange range) {
        Objects.requireNonNull(range, "range");
        return call(MessageType.COUNT, MessageType.NUMBER, (wire, id) -> Protocol.writeCount(wire, id, range)).count;
    }

    @Override
    public List<PartyFollower> followers() {
        @SuppressWarnings("unchecked")
        List<PartyFollower> followers = (List<PartyFollower>) call(MessageType.FOLLOWERS, MessageType.FOLLOWER_LIST,
                Protocol::writeFollowers).result;
        return followers;
    }

    /** {@inheritDoc} The leader writes it, within this store's request timeout. */
    @Override
    public void backup(Path destination) {
        String absolute = destination.toAbsolutePath().toString();
        call(MessageType.BACKUP, MessageType.DONE, (wire, id) -> Protocol.writeBackup(wire, id, absolute));
    }

    @Override
    public void compact(KeyRange range) {
        Objects.requireNonNull(range, "range");
        call(MessageType.COMPACT, MessageType.DONE, (wire, id) -> Protocol.writeCompact(wire, id, range));
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
        return (byte[]) call(MessageType.PUT, MessageType.VALUE,
                (wire, id) -> Protocol.writePut(wire, id, seq, ackedUpTo, key, value), dropping(List.of(key))).result;
    }

    /** {@link #delete(byte[])} as the write numbered {@code seq}. */
    byte[] delete(byte[] key, long seq, long ackedUpTo) {
        Objects.requireNonNull(key, "key");
        return (byte[]) call(MessageType.DELETE, MessageType.VALUE,
                (wire, id) -> Protocol.writeDelete(wire, id, seq, ackedUpTo, key), dropping(List.of(key))).result;
    }

    /** {@link #compareAndSet(byte[], byte[], byte[])} as the write numbered {@code seq}. */
    boolean compareAndSet(byte[] key, byte[] expected, byte[] update, long seq, long ackedUpTo) {
        Objects.requireNonNull(key, "key");
        return call(MessageType.CAS, MessageType.FLAG,
                (wire, id) -> Protocol.writeCompareAndSet(wire, id, seq, ackedUpTo, key, expected, update),
                dropping(List.of(key))).flag;
    }

    /** {@link #batch(List)} as the write numbered {@code seq}. */
    void batch(List<StoreWrite> writes, long seq, long ackedUpTo) {
        Objects.requireNonNull(writes, "writes");
        for (StoreWrite write : writes) {
            Objects.requireNonNull(write, "writes contains null");
        }
        call(MessageType.BATCH, MessageType.DONE, (wire, id) -> Protocol.writeBatch(wire, id, seq, ackedUpTo, writes),
                dropping(writes.stream().map(StoreWrite::key).toList()));
    }

    /**
     * Returns the step that drops the keys a write of this process changes from the cache, as its
     * request is queued. Every read whose request was queued before is then refused its fill (its
     * ticket predates the drop), and every read queued after is served after the write, since the
     * leader serves a connection's requests in order: so this process reads its own writes, and the
     * leader need not invalidate this process's cache for them (see {@link CacheCoherence}).
     */
    private CacheStep dropping(List<byte[]> keys) {
        if (cache == null) {
            return NO_CACHE_STEP;
        }
        return call -> {
            for (byte[] key : keys) {
                cache.drop(key);
            }
        };
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
        startPushes();
        return () -> changeListener = null;
    }

    /** Asks the leader to push this connection its changes, once. */
    private void startPushes() {
        if (pushing.compareAndSet(false, true)) {
            try {
                call(MessageType.SUBSCRIBE, MessageType.DONE, Protocol::writeSubscribe);
            } catch (RuntimeException e) {
                pushing.set(false);
                throw e;
            }
        }
    }

    /** Returns the leader's process id. */
    long leaderPid() {
        return leaderPid;
    }

    /** Waits for a round trip to the leader. */
    void ping() {
        call(MessageType.PING, MessageType.DONE, Protocol::writePing);
    }

    // ---------------------------------------------------------------- connection

    /**
     * Runs {@code callback} once when the connection is lost: on the thread that notices (the one
     * reading the socket, or a caller whose write failed), or at once on this thread if it already
     * was lost. Never runs after {@link #close()}. It must not block for long.
     */
    void onConnectionLost(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        sendLock.lock();
        try {
            if (closed) {
                return;
            }
            if (lostCause == null) {
                lostCallbacks.add(callback);
                return;
            }
        } finally {
            sendLock.unlock();
        }
        runCallback(callback);
    }

    /** Closes the connection; waiting and later calls throw {@link TermEndedException}. Idempotent. */
    @Override
    public void close() {
        sendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            over = true;
            lostCallbacks.clear();
        } finally {
            sendLock.unlock();
        }
        if (lease != null) {
            lease.end();
        }
        closeSocket();
        failAll(Failure.CLOSED, null);
        if (lease != null) {
            lease.close(); // once its BIND, if it was waiting for it, has failed
        }
        if (Thread.currentThread() != watcher) {
            LockSupport.unpark(watcher); // it may be parked for its idle period: it sees `over` now
            try {
                watcher.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- calls

    /** Encodes a request into the send buffer. */
    @FunctionalInterface
    private interface RequestWriter {
        void write(FrameBuffer wire, long id);
    }

    /** What a call does to the cache at the moment its request is queued, under sendLock. */
    @FunctionalInterface
    private interface CacheStep {
        void atSend(Call call);
    }

    private static final CacheStep NO_CACHE_STEP = call -> { };

    /** Why a call ended without a reply, turned into an exception on the caller's thread. */
    private enum Failure { CONNECTION_LOST, CLOSED }

    /** One request in flight, completed by the thread reading the socket (or by loss or close). */
    private static final class Call {
        final MessageType request;
        final MessageType expectedReply;
        final Thread waiter = Thread.currentThread();
        long id;
        /** A VALUE's value, an ENTRY as a StoreEntry, a PAGE's entries, a FOLLOWER_LIST's followers. */
        Object result;
        /** Whether the leader let a GET's value be cached. */
        boolean cacheable;
        /** A GET's cache ticket, taken as its request was queued. */
        long ticket;
        boolean flag;
        long count;
        ErrorKind errorKind;
        String errorMessage;
        Failure failure;
        Throwable failureCause;
        /** Written last by the completing thread: its volatile write publishes the fields above. */
        volatile boolean done;

        Call(MessageType request, MessageType expectedReply) {
            this.request = request;
            this.expectedReply = expectedReply;
        }

        void succeed(Reply reply) {
            switch (reply.type) {
                case VALUE -> result = reply.value;
                case CACHEABLE -> {
                    result = reply.value;
                    cacheable = true;
                }
                case FLAG -> flag = reply.flag;
                case ENTRY -> result = reply.key == null ? null : new StoreEntry(reply.key, reply.value);
                case PAGE -> result = reply.entries;
                case FOLLOWER_LIST -> result = reply.followers;
                case NUMBER -> count = reply.count;
                case ERROR -> {
                    errorKind = reply.errorKind;
                    errorMessage = reply.message;
                }
                default -> { } // DONE carries nothing
            }
            finish();
        }

        void fail(Failure failure, Throwable cause) {
            this.failure = failure;
            this.failureCause = cause;
            finish();
        }

        private void finish() {
            done = true;
            if (waiter != Thread.currentThread()) {
                LockSupport.unpark(waiter);
            }
        }
    }

    private Call call(MessageType request, MessageType expectedReply, RequestWriter writer) {
        return call(request, expectedReply, writer, NO_CACHE_STEP);
    }

    /** Sends a request, running {@code cacheStep} in the critical section that queues it, and waits for its reply. */
    private Call call(MessageType request, MessageType expectedReply, RequestWriter writer, CacheStep cacheStep) {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        Call call = new Call(request, expectedReply);
        boolean flushHere;
        sendLock.lock();
        try {
            checkUsable();
            call.id = ++lastRequestId;
            writer.write(pending, call.id); // a FrameTooLargeException leaves the buffer as it was
            cacheStep.atSend(call);
            // Registered before its frame can reach the socket (frames leave `pending` only under
            // sendLock), so the reply always finds it.
            calls.put(call.id, call);
            lastCallNanos = System.nanoTime();
            flushHere = !flushing;
            flushing = true;
        } finally {
            sendLock.unlock();
        }
        if (flushHere) {
            flush();
        }
        return await(call, deadline);
    }

    private void checkUsable() {
        if (closed) {
            throw new TermEndedException("The connection to the leader at " + socketPath + " is closed");
        }
        if (lostCause != null) {
            throw connectionLost(lostCause);
        }
    }

    /** Writes pending frames until none are left. Run by one caller at a time: the one that set {@code flushing}. */
    private void flush() {
        for (;;) {
            FrameBuffer batch;
            sendLock.lock();
            try {
                if (pending.isEmpty() || lostCause != null || closed) {
                    flushing = false;
                    return;
                }
                batch = pending;
                pending = spare;
                spare = batch; // written outside the lock below; only this flusher touches `spare`
            } finally {
                sendLock.unlock();
            }
            try {
                batch.writeTo(out);
            } catch (IOException e) {
                lose(e);
            }
        }
    }

    private Call await(Call call, long deadline) {
        boolean interrupted = false;
        while (!call.done) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                if (calls.remove(call.id, call)) {
                    restoreInterrupt(interrupted);
                    handOverReading();
                    throw new PartyUnavailableException("No reply from the leader at " + socketPath + " (pid "
                            + leaderPid + ") within " + requestTimeout + " to " + call.request + " request " + call.id,
                            null);
                }
                // The reader has just taken the call and is completing it: its unpark ends the wait.
                LockSupport.park(call);
            } else if (reading.compareAndSet(false, true)) {
                try {
                    readUntilDone(call);
                } finally {
                    reading.set(false);
                }
            } else {
                LockSupport.parkNanos(call, Math.min(remaining, IDLE_NANOS));
            }
            // The wait is bounded, so an interrupt does not end it early; the flag is kept for the caller.
            interrupted |= Thread.interrupted();
        }
        restoreInterrupt(interrupted);
        handOverReading();
        if (call.errorKind != null) {
            throw leaderError(call);
        }
        if (call.failure == Failure.CLOSED) {
            throw new TermEndedException("The connection to the leader at " + socketPath + " was closed while "
                    + call.request + " request " + call.id + " waited");
        }
        if (call.failure == Failure.CONNECTION_LOST) {
            throw connectionLost(call.failureCause);
        }
        return call;
    }

    /**
     * If nobody reads the socket while calls wait, wakes one of their waiters to read. Called by a
     * caller leaving, after it let go of {@code reading}: a caller that registers its call later
     * finds {@code reading} free.
     */
    private void handOverReading() {
        if (reading.get() || calls.isEmpty()) {
            return;
        }
        for (Call waiting : calls.values()) {
            LockSupport.unpark(waiting.waiter);
            return;
        }
    }

    private static void restoreInterrupt(boolean interrupted) {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private RuntimeException leaderError(Call call) {
        String message = call.errorMessage + " (" + call.request + " at the leader " + socketPath + ")";
        return switch (call.errorKind) {
            case ILLEGAL_ARGUMENT -> new IllegalArgumentException(message);
            case NULL_POINTER -> new NullPointerException(message);
            case UNAVAILABLE -> new PartyUnavailableException(message, null);
            case RESULT_TOO_LARGE, STORE_FAILED, INTERNAL -> new PartyException(message);
        };
    }

    private ConnectionLostException connectionLost(Throwable cause) {
        return new ConnectionLostException("Lost the connection to the leader at " + socketPath + " (pid " + leaderPid
                + "): " + (cause.getMessage() != null ? cause.getMessage() : cause.toString()), cause);
    }

    // ---------------------------------------------------------------- reader

    /**
     * Reads frames and completes their calls until {@code call} is done, or a read times out (the
     * caller then checks its deadline). Run by the holder of {@code reading}.
     */
    private void readUntilDone(Call call) {
        try {
            while (!call.done) {
                if (!readFrame()) {
                    return;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            lose(e);
        }
    }

    /**
     * Reads one frame, blocking until it is there, and completes its call.
     *
     * @return false if the read timed out
     * @throws EOFException if the leader closed the connection
     */
    private boolean readFrame() throws IOException {
        FrameBody frame;
        try {
            frame = input.next();
        } catch (SocketTimeoutException idle) {
            return false; // SO_TIMEOUT is there to bound writes; a quiet leader is fine
        }
        if (frame == null) {
            throw new EOFException("the leader closed the connection");
        }
        if (!Protocol.readReply(frame, reply)) {
            deliverPush(reply);
            return true;
        }
        Call call = calls.get(reply.id);
        if (call == null) {
            return true; // its caller timed out
        }
        if (reply.type != call.expectedReply && reply.type != MessageType.ERROR
                && !(reply.type == MessageType.CACHEABLE && call.request == MessageType.GET)) {
            throw new MalformedFrameException("the leader answered " + call.request + " request " + reply.id
                    + " with " + reply.type);
        }
        if (calls.remove(reply.id, call)) {
            call.succeed(reply);
        }
        return true;
    }

    private void deliverPush(Reply push) {
        if (over || push.type == null) {
            return; // the connection is over, or a push this version does not know
        }
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

    /**
     * The watcher's loop: reads the socket whenever no call has been made for {@link #IDLE_NANOS},
     * or for {@link #PUSH_IDLE_NANOS} once the leader pushes changes, which then reach the cache
     * and the subscribers that much sooner after the calls stop.
     */
    private void watch() {
        while (!over) {
            long idle = pushing.get() ? PUSH_IDLE_NANOS : IDLE_NANOS;
            if (System.nanoTime() - lastCallNanos < idle || !reading.compareAndSet(false, true)) {
                LockSupport.parkNanos(this, idle);
                continue;
            }
            try {
                do {
                    readFrame();
                } while (input.hasBufferedFrame());
            } catch (IOException | RuntimeException | Error e) {
                lose(e);
            } finally {
                reading.set(false);
            }
            handOverReading();
        }
    }

    private void lose(Throwable cause) {
        List<Runnable> callbacks;
        sendLock.lock();
        try {
            if (closed || lostCause != null) {
                return;
            }
            lostCause = cause;
            over = true;
            if (cache != null) {
                cache.clear();
            }
            callbacks = List.copyOf(lostCallbacks);
            lostCallbacks.clear();
        } finally {
            sendLock.unlock();
        }
        if (cause instanceof Error || cause instanceof RuntimeException) {
            log.error("Reading from the leader at {} failed", socketPath, cause);
        } else if (cause instanceof MalformedFrameException) {
            log.warn("Closing the connection to the leader at {} (pid {}): {}", socketPath, leaderPid,
                    cause.getMessage());
        } else {
            log.info("Lost the connection to the leader at {} (pid {}): {}", socketPath, leaderPid, cause.toString());
        }
        if (lease != null) {
            lease.end(); // after `over`: the leader takes its end as this process no longer serving cached values
        }
        closeSocket();
        failAll(Failure.CONNECTION_LOST, cause);
        if (lease != null) {
            lease.close(); // once its BIND, if it was waiting for it, has failed
        }
        for (Runnable callback : callbacks) {
            runCallback(callback);
        }
    }

    /** Fails every registered call; once no call can be registered any more, that is every call. */
    private void failAll(Failure failure, Throwable cause) {
        for (Call call : calls.values()) {
            if (calls.remove(call.id, call)) {
                call.fail(failure, cause);
            }
        }
    }

    private void runCallback(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.warn("A connection-lost callback for {} failed", socketPath, e);
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("Ignoring failure to close the connection to {}: {}", socketPath, e.toString());
        }
    }

    @Override
    public String toString() {
        return "RemoteStore[" + socketPath + ", leader pid " + leaderPid + "]";
    }
}
