package io.levelparty.impl;

import io.levelparty.Change;
import io.levelparty.PartyException;
import io.levelparty.PartyFollower;
import io.levelparty.PartyUnavailableException;
import io.levelparty.impl.Protocol.ErrorKind;
import io.levelparty.impl.Protocol.Hello;
import io.levelparty.impl.Protocol.MessageType;
import io.levelparty.impl.Protocol.Request;
import io.levelparty.Subscription;
import io.levelparty.spi.ChangeListener;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of one follower's connection: the handshake, then the follower's requests,
 * served against the leader's store on this connection's own thread.
 */
final class LeaderSideConnection {
    /*
     * Implementation overview.
     *
     * Order. Requests are decoded and executed one at a time in arrival order, so a follower's
     * pipelined requests take effect in the order it sent them, and their replies leave in that
     * order too.
     *
     * Coalescing. Replies are appended to one buffer, which is written in one write when no
     * further complete request is buffered (before the thread would block reading) or when it
     * passes FLUSH_BYTES. Under load one read brings many requests, and one write takes their
     * replies back.
     *
     * Writes behind. A write must wait until the followers caching its keys have dropped them
     * (see CacheCoherence), a round trip to each; meanwhile the requests behind it on this
     * connection, often reads of other threads of the follower, would wait too. So a write that
     * must wait is served by LeaderSideWrites on a thread of its own, and this thread goes on:
     * replies leave as they are ready, and the follower matches them by id. The writes that wait
     * stay in order among themselves, and those queued during a wait share the next one; a write
     * that need not wait is applied at once, before queued ones: a follower's thread awaits each
     * reply before its next call, so requests on one connection that are in flight together are
     * concurrent calls, which take effect in either order (a resent numbered write is still
     * applied once, see ClientRecords and GroupCommit). Before the next request is read, the write is
     * marked pending (CacheCoherence.markPending), so that a read served before it is applied is
     * not cacheable: the follower dropped the keys as it sent the write, and so reads its own
     * writes without an invalidation. Only a connection bound to a STRICT lease lets its other
     * requests pass a queued write: a connection without one may belong to a RELAXED cache, which
     * caches every read, and must see its reads served after its writes; its requests wait until
     * the writes queued before them are done, and its writes queue behind them.
     *
     * Trust. A request is decoded completely and checked before the store sees it, so a frame
     * that turns out malformed takes no effect; such a frame ends the connection (logged at WARN
     * with the follower's pid), after the replies to the requests before it have been sent.
     * Errors of the store are answered with ERROR and the connection
     * goes on. A closed store means the leader is going away: the connection is closed without a
     * reply, and the follower re-elects and resends (the request was not applied).
     */
    private static final Logger log = LoggerFactory.getLogger(LeaderSideConnection.class);
    /** The longest frame a peer may send before its HELLO is accepted: a HELLO of any version fits. */
    private static final int MAX_HELLO_BYTES = 1 << 10;
    /** Replies are written once this many bytes wait, even while more requests are buffered. */
    private static final int FLUSH_BYTES = 64 << 10;
    /** At most this many queued writes are served under one invalidation (see Writes behind). */
    private static final int MAX_BATCH = 64;
    /** At most this many writes wait to be served before the connection stops reading requests. */
    private static final int MAX_QUEUED_WRITES = 4 * MAX_BATCH;
    /**
     * How many committed writes may wait to be pushed to a subscribed follower before the leader
     * drops them (and pushes EVENTS_LOST): the leader never waits for a follower's events.
     */
    private static final int EVENT_QUEUE_CAPACITY = 16_384;
    /**
     * How many bytes of committed writes may wait to be pushed to one follower: a subscriber that
     * stops reading gets a gap, and never grows the leader by more than this.
     */
    private static final long EVENT_QUEUE_BYTES = 16L << 20;

    private final AFUNIXSocket socket;
    private final LocalStore store;
    private final Path socketPath;
    private final LeaderServer.AllowedUsers allowedUsers;
    private final PeerLimits limits;
    /** Counts the requests this connection serves, with those of the leader's other connections. */
    private final LongAdder requestsServed;
    /** The leader's list of its followers, for FOLLOWERS. */
    private final Supplier<List<PartyFollower>> followers;
    /** When this connection was accepted, as System.nanoTime(). */
    private final long acceptedAt = System.nanoTime();
    private final Consumer<LeaderSideConnection> onEnd;
    private final long peerPid;
    private final long peerUid;
    /** The follower's client id, from its HELLO: the first part of its writes' numbers. */
    private UUID clientId;
    /** Whether the follower asked for its writes to be synced to disk before they are answered. */
    private boolean syncWrites;
    private final Thread thread;
    private final FrameReader input;
    private final OutputStream out;
    private final FrameBuffer replies = new FrameBuffer();
    /** Held while writing to the socket: replies and pushed events come from different threads. */
    private final Object sendLock = new Object();
    /** Pushes the store's changes to the follower once it has subscribed; only the connection's thread sets it. */
    private volatile Relay<Event> events;
    private volatile Subscription eventSource;
    /** Each request read, decoded in place. */
    private final Request request = new Request();
    /** The writes that wait to be applied, and their thread (see Writes behind). */
    private final LeaderSideWrites<QueuedWrite> writes;
    /** The replies of {@link #writes}, written by its thread. */
    private final FrameBuffer writeReplies = new FrameBuffer();
    /**
     * The follower's cache lease, once it bound this connection to one: its reads may then be
     * cached, and pass its queued writes. Written by this connection's thread only.
     */
    private volatile LeaderSideLease lease;
    /**
     * The lease this connection serves, once it became a lease connection. Set before
     * {@link #closing} is read, which {@link #close()} sets before reading this.
     */
    private volatile LeaderSideLease ownLease;
    /** Whether a request was served: LEASE must come first. */
    private boolean served;
    private volatile boolean established;
    private volatile boolean closing;

    /**
     * Takes over an accepted socket; {@link #start()} begins serving it. {@code onEnd} is called on
     * this connection's thread once the connection is closed.
     */
    LeaderSideConnection(
            AFUNIXSocket socket, LocalStore store, Path socketPath, LeaderServer.AllowedUsers allowedUsers,
            PeerLimits limits, LongAdder requestsServed, Supplier<List<PartyFollower>> followers,
            Consumer<LeaderSideConnection> onEnd) throws IOException {
        this.socket = socket;
        this.store = store;
        this.socketPath = socketPath;
        this.allowedUsers = allowedUsers;
        this.limits = limits;
        this.requestsServed = requestsServed;
        this.followers = followers;
        this.onEnd = onEnd;
        AFUNIXSocketCredentials credentials = socket.getPeerCredentials();
        this.peerPid = credentials.getPid();
        this.peerUid = credentials.getUid();
        this.input = new FrameReader(socket.getInputStream());
        input.limitBodyBytes(MAX_HELLO_BYTES); // until the peer has said who it is
        input.limitIncompleteFrame(limits.handshakeTimeout().toNanos());
        this.out = socket.getOutputStream();
        this.thread = new Thread(this::run, "levelparty-leader-follower-" + peerPid);
        thread.setDaemon(true);
        this.writes = new LeaderSideWrites<>("levelparty-leader-writes-" + peerPid, MAX_BATCH, MAX_QUEUED_WRITES,
                this::serveQueued, queued -> queued.marked().close(), this::writesFailed);
    }

    /**
     * A write read from the follower and {@linkplain CacheCoherence#markPending marked pending},
     * to be applied once the caches holding its keys dropped them; {@code request} holds its type,
     * id and numbers.
     */
    private record QueuedWrite(Request request, WriteCommand<?> write, CacheCoherence.Write marked) {}

    void start() {
        thread.start();
    }

    /** The user id of the process at the other end. */
    long peerUid() {
        return peerUid;
    }

    /** The process id of the process at the other end. */
    long peerPid() {
        return peerPid;
    }

    /** When this connection was accepted, as System.nanoTime(). */
    long acceptedAt() {
        return acceptedAt;
    }

    /** Whether this is a follower's lease connection, with its lease live. */
    boolean holdsLease() {
        LeaderSideLease own = ownLease;
        return own != null && own.isLive();
    }

    boolean isEstablished() {
        return established;
    }

    /** Closes the connection; its thread ends soon after. */
    void close() {
        closing = true;
        LeaderSideLease own = ownLease;
        if (own != null) {
            own.close(); // ended by the leader, before its thread can take the close for the follower's
        }
        closeSocket();
    }

    /** Waits for this connection's thread to end, unless the waiting thread is interrupted. */
    void join() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            if (handshake()) {
                serve();
            }
        } catch (MalformedFrameException e) {
            log.warn("Closing the connection of follower pid {} (uid {}) at {}: {}", peerPid, peerUid, socketPath,
                    e.getMessage());
            sendRepliesSoFar();
        } catch (TermEndedException e) {
            log.debug("Closing the connection of follower pid {}: the store is closed", peerPid);
        } catch (SocketTimeoutException e) {
            // Only a send gets here (reads wait out quiet followers): the follower stopped reading.
            log.warn("Closing the connection of follower pid {} (uid {}) at {}: it took no reply for {}", peerPid,
                    peerUid, socketPath, limits.partialFrameTimeout());
        } catch (IOException e) {
            if (!closing) {
                log.debug("Follower pid {} disconnected: {}", peerPid, e.toString());
            }
        } catch (RuntimeException | Error e) {
            log.error("Serving follower pid {} at {} failed; closing its connection", peerPid, socketPath, e);
        } finally {
            writes.finish(); // the writes read before the end are served, and answered if the follower still reads
            stopEvents();
            closeSocket();
            onEnd.accept(this);
        }
    }

    /** One committed write, to push. */
    private record Event(long seq, List<StoreWrite> writes) {
        /** About what the event keeps in the leader's memory until it is sent. */
        long bytes() {
            long bytes = 64;
            for (StoreWrite write : writes) {
                bytes += 32 + write.key().length + (write.value() == null ? 0 : write.value().length);
            }
            return bytes;
        }
    }

    /**
     * From now on pushes every write the store commits to the follower, in commit order, from a
     * thread of its own: the committing thread only queues it.
     */
    private void pushEvents() {
        if (events != null) {
            return;
        }
        FrameBuffer frames = new FrameBuffer();
        Relay<Event> relay = new Relay<>("levelparty-leader-events-" + peerPid, EVENT_QUEUE_CAPACITY,
                EVENT_QUEUE_BYTES, Event::bytes, new Relay.Sink<>() {
                    @Override
                    public void accept(Event event) throws IOException {
                        try {
                            Protocol.writeEvent(frames, event.seq(), event.writes());
                        } catch (FrameTooLargeException e) {
                            Protocol.writeEventsLost(frames); // said, rather than lost silently
                        }
                        sendEvents(frames);
                    }

                    @Override
                    public void gap(Change.GapReason reason) throws IOException {
                        Protocol.writeEventsLost(frames);
                        sendEvents(frames);
                    }
                });
        events = relay;
        eventSource = store.subscribe(new ChangeListener() {
            @Override
            public void onChanges(long sequence, List<StoreWrite> writes) {
                relay.offer(new Event(sequence, writes));
            }

            @Override
            public void onGap(Change.GapReason reason) {
                relay.gap(reason);
            }
        });
    }

    private void sendEvents(FrameBuffer frames) throws IOException {
        try {
            send(frames);
        } catch (IOException e) {
            if (!closing) {
                log.debug("Could not push events to follower pid {}: {}", peerPid, e.toString());
            }
            close(); // the connection is broken for replies too
        }
    }

    private void stopEvents() {
        Subscription source = eventSource;
        if (source != null) {
            source.close();
        }
        Relay<Event> relay = events;
        if (relay != null) {
            relay.close();
        }
    }

    private void send(FrameBuffer frames) throws IOException {
        synchronized (sendLock) {
            frames.writeTo(out);
        }
    }

    /** Runs the handshake; returns whether the follower was accepted. */
    private boolean handshake() throws IOException {
        // A quiet peer times out here; one that sends its HELLO a byte at a time is refused by the
        // reader once the HELLO has been incomplete for as long.
        socket.setSoTimeout(socketTimeoutMillis(limits.handshakeTimeout().toNanos()));
        FrameBody frame;
        try {
            frame = input.next();
        } catch (SocketTimeoutException e) {
            log.warn("Closing the connection of pid {} (uid {}) at {}: no handshake within {}", peerPid, peerUid,
                    socketPath, limits.handshakeTimeout());
            return false;
        }
        if (frame == null) {
            log.debug("Pid {} closed its connection before the handshake", peerPid);
            return false;
        }
        Hello hello = Protocol.readHello(frame);
        // Refused only now, after its HELLO, even for a user who may not connect: the follower writes
        // HELLO before it reads, so a refusal sent earlier could break that write instead of being read.
        String refusal = refusalOf(hello);
        if (refusal != null) {
            log.warn("Refused pid {} (uid {}) at {}: {}", peerPid, peerUid, socketPath, refusal);
            Protocol.writeHelloReply(replies, false, ThisProcess.PID, refusal);
            send(replies);
            return false;
        }
        // Established before the follower can know it: a follower that has its HELLO reply counts.
        established = true;
        Protocol.writeHelloReply(replies, true, ThisProcess.PID, "");
        send(replies);
        // From here on a read waits as long as the follower is quiet between frames, but a frame
        // must be complete, and a send taken, within the partial-frame timeout (see nextRequest).
        socket.setSoTimeout(socketTimeoutMillis(limits.partialFrameTimeout().toNanos()));
        input.limitBodyBytes(Protocol.MAX_FRAME_BYTES);
        input.limitIncompleteFrame(limits.partialFrameTimeout().toNanos());
        input.spinBeforeBlocking(true); // a follower that waits on each reply sends its next request at once
        clientId = hello.clientId();
        syncWrites = hello.syncWrites();
        // It stopped serving its cache under any earlier leader's lease before it connected.
        store.coherence().arrived(clientId);
        log.debug("Follower pid {} (client {}) connected to {}", peerPid, clientId, socketPath);
        return true;
    }

    /** Returns why {@code hello} is refused, or {@code null}. */
    private String refusalOf(Hello hello) {
        if (!allowedUsers.allows(peerUid)) {
            return "user id " + peerUid + " may not connect to the leader at " + socketPath + ", which allows "
                    + allowedUsers;
        }
        if (hello.version() != Protocol.VERSION) {
            return "protocol version mismatch: the follower speaks version " + hello.version() + ", the leader at "
                    + socketPath + " version " + Protocol.VERSION;
        }
        return null;
    }

    private void serve() throws IOException {
        for (;;) {
            if (!input.hasBufferedFrame() && !replies.isEmpty()) {
                send(replies); // about to block reading: send the replies so far, in one write
            }
            FrameBody frame = nextRequest();
            if (frame == null) {
                log.debug("Follower pid {} disconnected", peerPid);
                return;
            }
            Protocol.readRequest(frame, request);
            if (request.type == MessageType.LEASE && !served) {
                serveLease(request);
                return;
            }
            checkServable(request);
            served = true;
            WriteCommand<?> write = writeOf(request);
            if (write != null) {
                serveWrite(request, write);
            } else {
                if (lease == null && !writes.isIdle()) {
                    sendRepliesBeforeWaiting();
                    writes.awaitIdle(); // see Writes behind: this follower may cache RELAXED
                }
                execute(replies, request, null);
            }
            if (replies.size() >= FLUSH_BYTES) {
                send(replies);
            }
        }
    }

    /**
     * Serves {@code write}, decoded in {@code r}: at once if it need not wait (and, on a connection
     * bound to no lease, no earlier write is queued), else queued (see Writes behind). Either way
     * its keys are marked pending first.
     */
    private void serveWrite(Request r, WriteCommand<?> write) {
        CacheCoherence coherence = store.coherence();
        List<byte[]> keys = write.keys();
        // Before the next request is read: a read behind this write must not be cacheable until it is applied.
        CacheCoherence.Write marked = coherence.markPending(keys);
        boolean queued = false;
        try {
            // On a lease's connection a write that need not wait passes the queued ones: they are
            // another thread's, concurrent with it (see Writes behind).
            if ((lease != null || writes.isIdle()) && coherence.invalidatedAtOnce(keys, lease)) {
                execute(replies, r, write);
            } else {
                writes.submit(new QueuedWrite(detached(r), write, marked));
                queued = true;
            }
        } finally {
            if (!queued) {
                marked.close();
            }
        }
    }

    /** Sends the replies so far, if any, before this thread may wait: the follower need not wait with it. */
    private void sendRepliesBeforeWaiting() {
        if (!replies.isEmpty()) {
            try {
                send(replies);
            } catch (IOException e) {
                close(); // the connection is broken for every reply; reading ends it
            }
        }
    }

    /** A copy of what serving a write needs of {@code r}, which the next request overwrites. */
    private static Request detached(Request r) {
        Request copy = new Request();
        copy.type = r.type;
        copy.id = r.id;
        copy.seq = r.seq;
        copy.ackedUpTo = r.ackedUpTo;
        return copy;
    }

    /**
     * Serves a batch of queued writes, on the writes' thread: waits until the caches holding their
     * keys dropped them, under one wait, then applies them in order and sends their replies.
     */
    private void serveQueued(List<QueuedWrite> batch) throws IOException {
        int done = 0;
        try {
            List<byte[]> keys = new ArrayList<>();
            for (QueuedWrite queued : batch) {
                keys.addAll(queued.write().keys());
            }
            store.coherence().awaitInvalidated(keys, lease);
            for (QueuedWrite queued : batch) {
                execute(writeReplies, queued.request(), queued.write());
                queued.marked().close();
                done++;
            }
        } finally {
            for (int i = done; i < batch.size(); i++) {
                batch.get(i).marked().close(); // not applied: the follower resends it to whoever leads
            }
        }
        send(writeReplies);
    }

    /** Ends the connection once serving queued writes failed; called on the writes' thread. */
    private void writesFailed(Throwable cause) {
        if (cause instanceof TermEndedException) {
            log.debug("Closing the connection of follower pid {}: the store is closed", peerPid);
        } else if (cause instanceof IOException) {
            if (!closing) {
                log.debug("Could not answer the writes of follower pid {}: {}", peerPid, cause.toString());
            }
        } else {
            log.error("Serving the writes of follower pid {} at {} failed; closing its connection", peerPid,
                    socketPath, cause);
        }
        close();
    }

    /**
     * Returns the next request's frame, or null if the follower disconnected, waiting for as long as
     * the follower is quiet.
     *
     * @throws MalformedFrameException if a frame stays incomplete for the partial-frame timeout
     */
    private FrameBody nextRequest() throws IOException {
        long limit = limits.partialFrameTimeout().toNanos();
        boolean shortened = false;
        try {
            for (;;) {
                try {
                    return input.next(); // refuses a frame incomplete for longer than the limit
                } catch (SocketTimeoutException quiet) {
                    // Wait for the rest of a frame no longer than it has left; an idle follower waits in full.
                    long waited = input.incompleteFrameNanos();
                    shortened = waited > 0;
                    socket.setSoTimeout(socketTimeoutMillis(shortened ? limit - waited : limit));
                }
            }
        } finally {
            if (shortened) {
                socket.setSoTimeout(socketTimeoutMillis(limit)); // sends get the full timeout again
            }
        }
    }

    private static int socketTimeoutMillis(long nanos) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(nanos)));
    }

    /** Refuses what a follower may not send on its main connection once it has been served. */
    private static void checkServable(Request r) throws MalformedFrameException {
        if (r.type == MessageType.LEASE) {
            throw new MalformedFrameException("LEASE after other requests");
        }
        if (r.type == MessageType.ACK) {
            throw new MalformedFrameException("ACK outside a lease connection");
        }
    }

    /**
     * Returns the write that {@code r} asks for, or null if it asks for none. Its keys are checked
     * when it is executed, so that a refused one gets its error reply in its turn.
     */
    private static WriteCommand<?> writeOf(Request r) {
        return switch (r.type) {
            case PUT -> new WriteCommand.Put(r.key, r.value);
            case DELETE -> new WriteCommand.Delete(r.key);
            case CAS -> new WriteCommand.CompareAndSet(r.key, r.value, r.update);
            case BATCH -> new WriteCommand.Batch(r.writes);
            default -> null;
        };
    }

    /**
     * Turns this connection into the follower's cache lease, if a lease is free, and serves it
     * until it ends (see {@link LeaderSideLease}).
     */
    private void serveLease(Request leaseRequest) throws IOException {
        long id = leaseRequest.id;
        CacheCoherence coherence = store.coherence();
        LeaderSideLease granted = coherence.grant(
                (slot, token) -> new LeaderSideLease(slot, token, peerPid, socket, out, coherence));
        if (granted == null) {
            Protocol.writeErrorReply(replies, id, ErrorKind.UNAVAILABLE, "The leader at " + socketPath
                    + " serves at most " + CacheCoherence.MAX_LEASES + " caching followers; this one reads uncached");
            send(replies);
            return;
        }
        ownLease = granted;
        try {
            if (closing) {
                granted.close();
            }
            // Recorded before it is granted: a successor must know of every lease that may be fresh.
            store.recordLease(granted.token(), clientId, peerPid);
            Protocol.writeGrantReply(replies, id, granted.token(), CacheCoherence.LEASE_NANOS);
            send(replies);
            log.debug("Follower pid {} holds cache lease slot {}", peerPid, granted.slot());
            granted.serve(input, leaseRequest);
        } finally {
            granted.close();
            if (granted.awaitSafeThenRelease()) {
                // Only once it can serve nothing: a record left behind makes the next leader wait for it.
                store.forgetLease(granted.token(), clientId);
            }
        }
    }

    /**
     * Applies {@code r}, whose write is {@code write} (null: it writes nothing), to the store and
     * appends the reply to {@code wire}.
     */
    private void execute(FrameBuffer wire, Request r, WriteCommand<?> write) {
        requestsServed.increment();
        try {
            if (write != null) {
                applyAndReply(wire, r, write);
                return;
            }
            switch (r.type) {
                case GET -> get(wire, r.id, userKey(r.key));
                case PEEK -> Protocol.writeValueReply(wire, r.id, store.get(userKey(r.key)));
                case NAVIGATE -> Protocol.writeEntryReply(wire, r.id, store.navigate(r.key, r.relation));
                case SCAN -> writePage(wire, r.id, store.scan(r.range, r.descending, r.limit));
                case COUNT -> Protocol.writeCountReply(wire, r.id, store.count(r.range));
                case PING -> Protocol.writeDoneReply(wire, r.id);
                case FOLLOWERS -> Protocol.writeFollowerList(wire, r.id, followers.get());
                case BIND -> bind(wire, r.id, r.token);
                case BACKUP -> backup(wire, r.id, r.destination);
                case COMPACT -> {
                    store.compact(r.range);
                    Protocol.writeDoneReply(wire, r.id);
                }
                case SUBSCRIBE -> {
                    pushEvents();
                    Protocol.writeDoneReply(wire, r.id);
                }
                default -> throw new IllegalStateException("readRequest returned " + r.type);
            }
        } catch (TermEndedException e) {
            throw e;
        } catch (FrameTooLargeException e) {
            Protocol.writeErrorReply(wire, r.id, ErrorKind.RESULT_TOO_LARGE, "The reply to " + r.type
                    + " exceeds the protocol's maximum frame of " + Protocol.MAX_FRAME_BYTES + " bytes"
                    + (returnsPrevious(r.type) ? "; the write was applied, but the previous value cannot be sent"
                            : ""));
        } catch (RuntimeException e) {
            ErrorKind kind = kindOf(e);
            if (kind == ErrorKind.INTERNAL) {
                log.warn("{} from follower pid {} failed", r.type, peerPid, e);
            }
            Protocol.writeErrorReply(wire, r.id, kind, e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    /** Answers GET, with CACHEABLE when the follower's lease lets it cache the value (see {@link CacheCoherence}). */
    private void get(FrameBuffer wire, long id, byte[] key) {
        LeaderSideLease bound = lease;
        if (bound == null || !bound.isLive()) {
            Protocol.writeValueReply(wire, id, store.get(key));
            return;
        }
        CacheCoherence coherence = store.coherence();
        long epoch = coherence.beforeRead(key, bound);
        byte[] value = store.get(key);
        Protocol.writeValueReply(wire, id, value, coherence.cacheableAfterRead(key, epoch));
    }

    /**
     * Writes a backup, as this leader's user: so only that user may ask, or an allowed user of
     * another id could have this process create directories where only the leader's user may.
     */
    private void backup(FrameBuffer wire, long id, String destination) {
        if (peerUid != allowedUsers.ownUid()) {
            Protocol.writeErrorReply(wire, id, ErrorKind.ILLEGAL_ARGUMENT, "Only the leader's own user (uid "
                    + allowedUsers.ownUid() + ") may ask the leader at " + socketPath + " for a backup, not uid "
                    + peerUid);
            return;
        }
        Path path = Path.of(destination);
        if (!path.isAbsolute()) {
            Protocol.writeErrorReply(wire, id, ErrorKind.ILLEGAL_ARGUMENT, "A backup's destination must be an "
                    + "absolute path, not " + destination);
            return;
        }
        store.backup(path);
        Protocol.writeDoneReply(wire, id);
    }

    private void bind(FrameBuffer wire, long id, long token) {
        LeaderSideLease found = store.coherence().leaseOf(token);
        if (found == null) {
            Protocol.writeErrorReply(wire, id, ErrorKind.UNAVAILABLE, "No live cache lease " + token + " at the leader "
                    + socketPath);
            return;
        }
        lease = found;
        Protocol.writeDoneReply(wire, id);
    }

    private void applyAndReply(FrameBuffer wire, Request r, WriteCommand<?> write) {
        for (byte[] key : write.keys()) {
            userKey(key);
        }
        if (write instanceof WriteCommand.ReturningPrevious previous) {
            Protocol.writeValueReply(wire, r.id, apply(r, previous));
        } else if (write instanceof WriteCommand.CompareAndSet compareAndSet) {
            Protocol.writeFlagReply(wire, r.id, apply(r, compareAndSet));
        } else {
            apply(r, write);
            Protocol.writeDoneReply(wire, r.id);
        }
    }

    /**
     * Applies a write whose keys the run invalidated, at most once if the follower numbered it (it
     * may be a copy resent after a failover).
     */
    private <R> R apply(Request r, WriteCommand<R> command) {
        if (r.seq == Protocol.UNSEQUENCED) {
            return store.applyInvalidated(command, syncWrites);
        }
        return store.applyOnceInvalidated(new WriteId(clientId, r.seq, r.ackedUpTo), command, syncWrites);
    }

    /** Writes as much of {@code page} as fits a frame: a short page is fine, the scan continues after it. */
    private static void writePage(FrameBuffer wire, long id, List<StoreEntry> page) {
        int fit = Protocol.entriesThatFit(page);
        if (fit == 0 && !page.isEmpty()) {
            throw new FrameTooLargeException("the entry of the next key does not fit a frame");
        }
        Protocol.writePageReply(wire, id, fit == page.size() ? page : page.subList(0, fit));
    }

    /** Returns {@code key}, refused if it is in the leader's reserved keyspace. */
    private static byte[] userKey(byte[] key) {
        if (LocalStore.isReserved(key)) {
            throw new IllegalArgumentException(
                    "Keys starting with byte 0xFF are reserved for the leader's own records");
        }
        return key;
    }

    private static boolean returnsPrevious(MessageType type) {
        return type == MessageType.PUT || type == MessageType.DELETE;
    }

    private static ErrorKind kindOf(RuntimeException e) {
        if (e instanceof IllegalArgumentException) {
            return ErrorKind.ILLEGAL_ARGUMENT;
        }
        if (e instanceof NullPointerException) {
            return ErrorKind.NULL_POINTER;
        }
        if (e instanceof PartyUnavailableException) {
            return ErrorKind.UNAVAILABLE;
        }
        if (e instanceof PartyException) {
            return ErrorKind.STORE_FAILED;
        }
        return ErrorKind.INTERNAL;
    }

    /** Sends the replies to the requests served before a bad frame, so that they are not lost with it. */
    private void sendRepliesSoFar() {
        try {
            if (!replies.isEmpty()) {
                send(replies);
            }
        } catch (IOException e) {
            log.debug("Could not send follower pid {} its last replies: {}", peerPid, e.toString());
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("Ignoring failure to close the connection of follower pid {}: {}", peerPid, e.toString());
        }
    }

    @Override
    public String toString() {
        return "LeaderSideConnection[pid " + peerPid + ", uid " + peerUid + "]";
    }
}
