package io.levelparty.impl;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import io.levelparty.PartyFollower;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicBoolean;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's Unix socket: accepts followers and serves their requests against the leader's store,
 * speaking the {@link Protocol}.
 *
 * <p>The caller must hold the data directory's LevelDB lock from before {@link #start} until after
 * {@link #close()}: the lock is what makes this process the one owner of the socket path.
 */
final class LeaderServer implements AutoCloseable {
    /*
     * Implementation overview.
     *
     * Binding. A socket file left at the path is stale, since its leader no longer holds the lock
     * we hold; it is deleted, unless something answers on it, which would mean the lock is not
     * doing its job, and then we fail rather than take a live path over. junixsocket's default
     * bind ("reuse address") would silently take over even a live path, and the old server's close
     * would then delete our file, so we bind with reuse off. junixsocket creates the file
     * world-writable; we make it owner-only right after bind. In the moment between, another user
     * could connect, which the uid check in the handshake refuses anyway.
     *
     * Threads. One acceptor thread, and one thread per follower (LeaderSideConnection), all daemons:
     * blocking IO keeps each follower's requests in order, and a follower that is slow or stuck
     * blocks only its own thread. PeerLimits bound how many such threads exist, and for how long a
     * peer that stopped mid-frame or stopped reading keeps one; users who may not connect get a
     * small share, so that their connections, which wait for a HELLO to be refused, cannot crowd
     * out the followers.
     *
     * Closing. (1) Stop the acceptor and close the server socket, after which the set of
     * connections can only shrink. The acceptor is woken by a connection close() makes itself: when
     * a server socket is closed under a blocked accept, junixsocket wakes it the same way but, if
     * that connection fails (which it does when the close has already shut the socket down), leaks
     * the descriptor it made for it; about one in twenty closes did, enough to run a process that
     * opens and closes many maps out of descriptors. (2) Delete the socket file, while the caller
     * still holds the lock, so before a successor can bind the path, and only if it is still the
     * file we bound (same file key). Between (1) and (2) a follower finds the path refusing
     * connections, as if no leader existed, and goes on electing. (3) Close every connection and
     * wait for its thread, so that once close() returns no thread of this server touches the
     * store, which the caller closes next. Writes waiting for followers to drop cached values fail
     * first (unapplied), so that no thread waits out a lease.
     */
    private static final Logger log = LoggerFactory.getLogger(LeaderServer.class);
    /** How long the acceptor pauses when accept fails for a reason other than close, e.g. no file descriptors left. */
    private static final long ACCEPT_RETRY_MILLIS = 100;
    /** How often at most the acceptor logs that it refused connections for lack of room. */
    private static final long REFUSAL_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * How long close() waits to connect to its own acceptor (queued at once unless the backlog is
     * full), and then for the acceptor to end.
     */
    private static final int WAKE_TIMEOUT_MILLIS = 1000;

    private final LocalStore store;
    private final Path socketPath;
    private final AFUNIXServerSocket serverSocket;
    private final Object socketFileKey;
    private final AllowedUsers allowedUsers;
    private final PeerLimits limits;
    private final Set<LeaderSideConnection> connections = ConcurrentHashMap.newKeySet();
    /** Requests served to followers. */
    private final LongAdder served = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread acceptor;
    /** Connections refused since the acceptor last logged it, and when it did; the acceptor's own. */
    private int refusedUnlogged;
    private long refusalLoggedAt = System.nanoTime() - REFUSAL_LOG_NANOS;

    /** The users who may connect: the leader's own, and {@code otherUids}. */
    record AllowedUsers(int ownUid, Set<Integer> otherUids) {
        AllowedUsers {
            otherUids = Set.copyOf(otherUids);
        }

        boolean allows(long uid) {
            return uid == ownUid || (uid == (int) uid && otherUids.contains((int) uid));
        }

        @Override
        public String toString() {
            return otherUids.isEmpty() ? "only its own user id " + ownUid
                    : "its own user id " + ownUid + " and user ids " + otherUids;
        }
    }

    private LeaderServer(
            LocalStore store, Path socketPath, AFUNIXServerSocket serverSocket, Object socketFileKey,
            AllowedUsers allowedUsers, PeerLimits limits) {
        this.store = store;
        this.socketPath = socketPath;
        this.serverSocket = serverSocket;
        this.socketFileKey = socketFileKey;
        this.allowedUsers = allowedUsers;
        this.limits = limits;
        this.acceptor = new Thread(this::acceptFollowers, "levelparty-leader-acceptor");
        acceptor.setDaemon(true);
    }

    /**
     * Binds {@code socketPath} and serves {@code store} to followers run by this process's user or
     * by a user in {@code allowedUids}.
     *
     * @throws IOException if the socket cannot be bound, or another process answers on the path
     */
    static LeaderServer start(LocalStore store, Path socketPath, Set<Integer> allowedUids) throws IOException {
        return start(store, socketPath, allowedUids, OptionalInt.empty(), PeerLimits.DEFAULT);
    }

    /**
     * As {@link #start(LocalStore, Path, Set)}, but {@code ownUid}, when present, stands for this
     * process's user id, and {@code limits} replace the default ones: tests use them to see real
     * peers refused and cut off.
     */
    static LeaderServer start(
            LocalStore store, Path socketPath, Set<Integer> allowedUids, OptionalInt ownUid, PeerLimits limits)
            throws IOException {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(allowedUids, "allowedUids");
        Objects.requireNonNull(limits, "limits");
        removeStaleSocketFile(socketPath);
        AFUNIXServerSocket serverSocket = AFUNIXServerSocket.newInstance();
        boolean bound = false;
        try {
            serverSocket.setReuseAddress(false);
            // close() deletes the file itself, and only while it is still this server's.
            serverSocket.setDeleteOnClose(false);
            serverSocket.bind(addressOf(socketPath));
            bound = true;
            // Owner-only, unless other users are allowed: they must be able to connect, and the
            // handshake's uid check, not the file's mode, is what keeps everyone else out.
            Files.setPosixFilePermissions(socketPath,
                    PosixFilePermissions.fromString(allowedUids.isEmpty() ? "rw-------" : "rw-rw-rw-"));
            Object fileKey = Files.readAttributes(socketPath, BasicFileAttributes.class, NOFOLLOW_LINKS).fileKey();
            // The socket file's owner is this process's effective user id, which peers' credentials report too.
            int uid = ownUid.isPresent()
                    ? ownUid.getAsInt()
                    : (Integer) Files.getAttribute(socketPath, "unix:uid", NOFOLLOW_LINKS);
            LeaderServer server =
                    new LeaderServer(store, socketPath, serverSocket, fileKey, new AllowedUsers(uid, allowedUids), limits);
            server.acceptor.start();
            log.debug("Leader pid {} serving {}, which admits {}", ProcessHandle.current().pid(), socketPath,
                    server.allowedUsers);
            return server;
        } catch (IOException | RuntimeException e) {
            serverSocket.close();
            if (bound) {
                Files.deleteIfExists(socketPath);
            }
            throw e;
        }
    }

    /**
     * Loads, once per process, what serving followers needs on first use: junixsocket's native
     * library and server socket, and the handshake's frames, read and written as a leader does.
     * Their first use takes from a tenth of a second to seconds on a busy
     * machine; done before this process competes for a directory's lock, it keeps a process that
     * wins the lock just after starting from making every follower wait for its start-up (which the
     * failover chaos test saw take 8.7 s). Failures are left for the real use to report.
     */
    static void prepare() {
        Prepared.ensure();
    }

    /** Runs {@link #prepare()}'s work in its class initialization: once, and safely for many threads. */
    private static final class Prepared {
        static {
            try {
                AFUNIXServerSocket.newInstance().close();
                FrameBuffer hello = new FrameBuffer();
                Protocol.writeHello(hello, new UUID(0, 0), 0, false);
                ByteArrayOutputStream frames = new ByteArrayOutputStream();
                hello.writeTo(frames);
                Protocol.readHello(new FrameReader(new ByteArrayInputStream(frames.toByteArray())).next());
                Protocol.writeHelloReply(new FrameBuffer(), true, 0, "");
            } catch (IOException | RuntimeException e) {
                log.debug("Preparing to serve followers failed: {}", e.toString());
            }
        }

        static void ensure() {
            // the work is done by the class initialization that calling this method triggers
        }
    }

    /**
     * Starts, once per process, a rehearsal of taking over on a daemon thread: opens a throwaway
     * LevelDB directory under {@code java.io.tmpdir}, finds a stale socket file there, serves one
     * follower of this process with a few requests, and closes everything. A follower calls it, so
     * that if it ever wins an election, its first steps as leader run warm: run cold, they took 10
     * to 20 ms of every failover (class loading, and the interpreter, in the bind, the file
     * attributes, the acceptor and the follower connections). Not where that directory has less
     * free space than the {@link DiskReserve}.
     */
    static void rehearseInBackground() {
        if (REHEARSAL_STARTED.compareAndSet(false, true)) {
            Thread rehearsal = new Thread(LeaderServer::rehearse, "levelparty-rehearsal");
            rehearsal.setDaemon(true);
            rehearsal.start();
        }
    }

    private static final AtomicBoolean REHEARSAL_STARTED = new AtomicBoolean();
    private static final String REHEARSAL_PREFIX = "levelparty-rehearsal-";
    /** Writes that make the rehearsal's log about a quarter of a mebibyte. */
    private static final int REHEARSAL_LOG_WRITES = 2_000;
    /** Readings of that log after which the JIT has compiled the check (6 here). */
    private static final int REHEARSAL_LOG_READS = 6;

    /** Rehearses at once, on the calling thread. */
    static void rehearse() {
        Path dir = null;
        try {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            deleteRehearsalsOfDeadProcesses(tmp);
            String noRoom = DiskReserve.refusalToLead(tmp);
            if (noRoom != null) {
                // LevelDB writes through mmap: on a full filesystem its open would kill this
                // process, which only follows, with SIGBUS. The takeover, if any, then runs cold.
                log.debug("Not rehearsing a takeover: {}", noRoom);
                return;
            }
            // Named after this process, so that whoever rehearses next deletes it should this process be killed.
            dir = Files.createTempDirectory(tmp, REHEARSAL_PREFIX + ThisProcess.PID + "-");
            Path socket = dir.resolve("party.sock");
            LocalStore store = LocalStore.tryOpen(dir.resolve("db"));
            try {
                AFUNIXServerSocket stale = AFUNIXServerSocket.newInstance();
                stale.setDeleteOnClose(false);
                stale.bind(addressOf(socket));
                stale.close();
                try (LeaderServer server = start(store, socket, Set.of());
                        RemoteStore follower = RemoteStore.connect(socket, Duration.ofSeconds(10), UUID.randomUUID())) {
                    byte[] key = {'k'};
                    follower.put(key, key, 1, 0);
                    follower.get(key);
                    follower.ping();
                }
                store.sweepStaleRecords(System.currentTimeMillis());
                rehearseLogCheck(store, dir.resolve("db"));
                // A new leader looks up its predecessor's lease holders' processes: cold, 3 ms.
                LeaseRecords.holderMayLive(LeaseRecords.value(ThisProcess.PID));
            } finally {
                store.close();
            }
        } catch (IOException | RuntimeException e) {
            log.debug("Rehearsing a takeover failed: {}", e.toString());
        } finally {
            if (dir != null) {
                deleteQuietly(dir);
            }
        }
    }

    /**
     * Writes a log like a busy leader's, then reads it as a new leader reads its predecessor's
     * ({@link LogRecoveryCheck}), until that reading runs compiled: run cold, it took 5 to 25 ms
     * for a log of half a mebibyte, on a CPU a failover needs.
     */
    private static void rehearseLogCheck(LocalStore store, Path db) throws IOException {
        byte[] value = new byte[100];
        for (int i = 0; i < REHEARSAL_LOG_WRITES; i++) {
            store.put(("r" + i).getBytes(StandardCharsets.US_ASCII), value);
        }
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(db, LogRecoveryCheck.LOG_GLOB)) {
            for (Path log : logs) {
                for (int i = 0; i < REHEARSAL_LOG_READS; i++) {
                    LogRecoveryCheck.check(log);
                }
            }
        }
    }

    /** Deletes the rehearsal directories in {@code tmp} of this user's processes that ended before deleting them. */
    private static void deleteRehearsalsOfDeadProcesses(Path tmp) {
        try (DirectoryStream<Path> rehearsals = Files.newDirectoryStream(tmp, REHEARSAL_PREFIX + "*")) {
            for (Path dir : rehearsals) {
                String[] parts = dir.getFileName().toString().substring(REHEARSAL_PREFIX.length()).split("-", 2);
                if (parts.length == 2 && parts[0].matches("[0-9]{1,18}")
                        && ProcessHandle.of(Long.parseLong(parts[0])).isEmpty()
                        && ((Number) Files.getAttribute(dir, "unix:uid", NOFOLLOW_LINKS)).longValue() == ThisProcess.UID) {
                    deleteQuietly(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("Could not look for abandoned rehearsals in {}: {}", tmp, e.toString());
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.debug("Could not delete {}: {}", dir, e.toString());
        }
    }

    /** Deletes a socket file that nobody serves; fails if somebody does. */
    private static void removeStaleSocketFile(Path socketPath) throws IOException {
        if (!Files.exists(socketPath, NOFOLLOW_LINKS)) {
            return;
        }
        if (isServed(socketPath)) {
            throw new IOException("Another process serves " + socketPath + " although this one holds the data "
                    + "directory's lock; not taking its socket over");
        }
        Files.deleteIfExists(socketPath);
    }

    /**
     * Returns the socket address of {@code socketPath}.
     *
     * @throws SocketException naming the path if it is too long for a Unix socket address
     */
    static AFUNIXSocketAddress addressOf(Path socketPath) throws SocketException {
        try {
            return AFUNIXSocketAddress.of(socketPath);
        } catch (SocketException e) {
            int bytes = socketPath.toString().getBytes(StandardCharsets.UTF_8).length;
            SocketException unusable = new SocketException("Cannot use " + socketPath + " (" + bytes
                    + " bytes) as a Unix socket address, which holds at most 107 bytes: " + e.getMessage());
            unusable.initCause(e);
            throw unusable;
        }
    }

    /** Returns whether a server accepts connections at {@code socketPath} (a plain file refuses them). */
    private static boolean isServed(Path socketPath) throws IOException {
        AFUNIXSocketAddress address = addressOf(socketPath);
        try (AFUNIXSocket probe = AFUNIXSocket.newInstance()) {
            probe.setSoTimeout(WAKE_TIMEOUT_MILLIS); // bounds the connect too, should its backlog be full
            probe.connect(address);
            return true;
        } catch (SocketTimeoutException full) {
            return true; // something listens, only too slowly to accept us
        } catch (SocketException refused) {
            return false;
        }
    }

    /**
     * Accepts followers until closed. Nothing ends it but close(): whatever accept or starting a
     * connection throws, even an Error such as running out of threads, is logged, the connection
     * dropped, and accepting goes on after a pause, since a leader that holds the lock but no longer
     * accepts would leave every other process waiting for ever.
     */
    private void acceptFollowers() {
        while (!closed.get()) {
            AFUNIXSocket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException | RuntimeException | Error e) {
                if (closed.get()) {
                    return;
                }
                log.warn("Leader at {} failed to accept a follower, retrying: {}", socketPath, e.toString());
                if (!pauseAccepting()) {
                    return;
                }
                continue;
            }
            if (closed.get()) {
                closeQuietly(socket); // close()'s wake-up call, or a follower just too late
                return;
            }
            try {
                LeaderSideConnection connection =
                        new LeaderSideConnection(socket, store, socketPath, allowedUsers, limits, served,
                                this::followers, connections::remove);
                String full = roomFor(connection.peerUid());
                if (full != null) {
                    closeQuietly(socket);
                    logRefusal(full);
                    continue;
                }
                connections.add(connection);
                try {
                    connection.start();
                } catch (RuntimeException | Error e) {
                    connections.remove(connection);
                    throw e;
                }
            } catch (IOException | RuntimeException | Error e) {
                log.warn("Leader at {} dropped a new connection: {}", socketPath, e.toString());
                closeQuietly(socket);
                if (e instanceof Error && !pauseAccepting()) {
                    return;
                }
            }
        }
    }

    /** Returns why no further connection of user {@code uid} is served now, or null if one is. */
    private String roomFor(long uid) {
        if (connections.size() >= limits.maxConnections()) {
            return "it serves " + limits.maxConnections() + " connections already";
        }
        if (allowedUsers.allows(uid)) {
            return null;
        }
        // A user who may not connect is only told so after its HELLO; meanwhile its connections
        // take threads, which this share keeps from crowding out the followers.
        int foreign = 0;
        for (LeaderSideConnection connection : connections) {
            if (!allowedUsers.allows(connection.peerUid())) {
                foreign++;
            }
        }
        return foreign >= limits.maxForeignConnections()
                ? "it waits for the handshakes of " + foreign + " connections of users who may not connect already"
                        + " (this one of user id " + uid + ")"
                : null;
    }

    /** Logs a refused connection, at most once per {@link #REFUSAL_LOG_NANOS}, counting those not logged. */
    private void logRefusal(String why) {
        refusedUnlogged++;
        long now = System.nanoTime();
        if (now - refusalLoggedAt >= REFUSAL_LOG_NANOS) {
            log.warn("Leader at {} refused {} connection(s): {}", socketPath, refusedUnlogged, why);
            refusedUnlogged = 0;
            refusalLoggedAt = now;
        }
    }

    /** Pauses before accepting again after a failure; returns false if close() interrupted the pause. */
    private static boolean pauseAccepting() {
        try {
            Thread.sleep(ACCEPT_RETRY_MILLIS);
            return true;
        } catch (InterruptedException interrupted) {
            return false; // only close() interrupts the acceptor
        }
    }

    /**
     * Returns the processes connected and past the handshake, one entry per process (a caching
     * follower has two connections), ordered by pid.
     */
    List<PartyFollower> followers() {
        Map<Long, PartyFollower> byPid = new TreeMap<>();
        long now = System.nanoTime();
        for (LeaderSideConnection c : connections) {
            if (!c.isEstablished()) {
                continue;
            }
            PartyFollower seen = new PartyFollower(c.peerPid(), c.peerUid(), c.holdsLease(),
                    Duration.ofNanos(now - c.acceptedAt()));
            byPid.merge(c.peerPid(), seen, (a, b) -> new PartyFollower(a.pid(), a.uid(), a.caching() || b.caching(),
                    a.connected().compareTo(b.connected()) >= 0 ? a.connected() : b.connected()));
        }
        return List.copyOf(byPid.values());
    }

    /** Returns how many requests of followers this server has served. */
    long served() {
        return served.sum();
    }

    /** Returns the number of followers connected and past the handshake. */
    int followerCount() {
        int n = 0;
        for (LeaderSideConnection connection : connections) {
            if (connection.isEstablished()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Stops serving: deletes the socket file (if it is still this server's), stops accepting, closes
     * every follower's connection and waits for their threads. Idempotent. Call it before releasing
     * the LevelDB lock.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopAcceptor();
        closeQuietly(serverSocket);
        deleteSocketFileIfOurs();
        store.coherence().close(); // writes waiting for followers' caches fail, lease connections end at once
        for (LeaderSideConnection connection : connections) {
            connection.close();
        }
        for (LeaderSideConnection connection : connections) {
            connection.join();
        }
        log.debug("Leader at {} closed", socketPath);
    }

    /**
     * Makes the acceptor return from accept, see {@link #closed} and end, and waits for it. The
     * acceptor is woken by a connection to our own socket file; only if the path is no longer ours
     * (someone deleted or replaced the file) or the acceptor does not end in time does the server
     * socket's close wake it instead.
     */
    private void stopAcceptor() {
        if (!(isOurSocketFile() && connectToSelf())) {
            closeQuietly(serverSocket);
        }
        acceptor.interrupt();
        try {
            acceptor.join(WAKE_TIMEOUT_MILLIS);
            if (acceptor.isAlive()) {
                closeQuietly(serverSocket);
                acceptor.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean connectToSelf() {
        try (AFUNIXSocket wake = AFUNIXSocket.newInstance()) {
            wake.connect(addressOf(socketPath), WAKE_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            log.debug("Could not wake the acceptor of {}: {}", socketPath, e.toString());
            return false;
        }
    }

    private boolean isOurSocketFile() {
        try {
            Object fileKey = Files.readAttributes(socketPath, BasicFileAttributes.class, NOFOLLOW_LINKS).fileKey();
            return Objects.equals(fileKey, socketFileKey);
        } catch (IOException e) {
            return false;
        }
    }

    private void deleteSocketFileIfOurs() {
        if (!isOurSocketFile()) {
            log.debug("Not deleting {}: it is gone or no longer the socket this leader bound", socketPath);
            return;
        }
        try {
            Files.delete(socketPath);
        } catch (NoSuchFileException gone) {
            log.debug("Socket file {} was already gone", socketPath);
        } catch (IOException e) {
            log.warn("Cannot delete socket file {}: {}", socketPath, e.toString());
        }
    }


    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.debug("Ignoring failure to close {}: {}", closeable, e.toString());
        }
    }

    @Override
    public String toString() {
        return "LeaderServer[" + socketPath + (closed.get() ? ", closed]" : "]");
    }
}
