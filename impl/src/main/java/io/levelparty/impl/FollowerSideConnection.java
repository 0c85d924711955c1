package io.levelparty.impl;

import io.levelparty.PartyException;
import io.levelparty.PartyUnavailableException;
import io.levelparty.impl.FollowerSideHandshake.Link;
import io.levelparty.impl.Protocol.ErrorKind;
import io.levelparty.impl.Protocol.MessageType;
import io.levelparty.impl.Protocol.Reply;
import io.levelparty.spi.StoreEntry;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.newsclub.net.unix.AFUNIXSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's main connection to its leader (the leader's end is {@link LeaderSideConnection}):
 * one Unix socket, opened by {@link FollowerSideHandshake}, that all threads of the process share
 * for their requests, speaking the {@link Protocol}. It carries requests and their replies, and
 * the leader's pushes, which it hands to its {@link Handler}; what the requests mean is
 * {@link RemoteStore}'s business.
 *
 * <p>Calls from many threads are in flight at once. Each waits for its reply at most the request
 * timeout, then throws {@link PartyUnavailableException} naming the socket; its request may still
 * take effect at the leader. An ERROR reply throws the exception its kind names. When the
 * connection is lost (the leader closed it or died, or broke the protocol), every waiting call and
 * every later one throws {@link ConnectionLostException} at once, and each callback registered
 * with {@link #onConnectionLost} runs once. After {@link #close()} calls throw
 * {@link TermEndedException} and no callback runs. A request larger than the protocol's maximum
 * frame throws {@link IllegalArgumentException} and leaves the connection as it was.
 */
final class FollowerSideConnection {
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
     * nothing and is dropped. A frame that answers no request is a push, handed to the Handler.
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
    private static final Logger log = LoggerFactory.getLogger(FollowerSideConnection.class);
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
    private final Handler handler;
    private final Thread watcher;
    private final ConcurrentHashMap<Long, Call> calls = new ConcurrentHashMap<>();
    /** The right to read the socket; `input` and `reply` belong to its holder. */
    private final AtomicBoolean reading = new AtomicBoolean();
    private final Reply reply = new Reply();
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

    /**
     * What the store over a connection learns from it, on the thread that learns it. Every method
     * must return soon: the first runs on the thread reading the socket, the others on the one
     * ending the connection.
     */
    interface Handler {
        /**
         * Takes a push (EVENT or EVENTS_LOST): a frame that answers no request, of a type this
         * version knows, read while the connection was not over. Pushes arrive in the order the
         * leader sent them, and {@code push} is reused once this returns.
         */
        void onPush(Reply push);

        /**
         * The connection is ending: it is already {@linkplain FollowerSideConnection#isOver() over},
         * so no call can be made on it any more, and its socket is still open. {@code lost} is false
         * if it was closed.
         */
        void onEnding(boolean lost);

        /** The connection has ended: its socket is closed and every waiting call has failed. */
        void onEnded();
    }

    /**
     * Encodes a request into the send buffer, under {@code call.id}. It runs under the send lock,
     * so what it does besides (a read's cache ticket, a write's cache drops) is ordered as the
     * request is on the wire; it does that after encoding, so that a request too large for a frame
     * throws before it has any effect.
     */
    @FunctionalInterface
    interface RequestWriter {
        void write(FrameBuffer wire, Call call);
    }

    /**
     * Takes over {@code link}, whose handshake succeeded, for calls that wait at most
     * {@code requestTimeout}; {@link #start()} starts watching it.
     */
    FollowerSideConnection(Path socketPath, Duration requestTimeout, Link link, Handler handler) throws IOException {
        this.socketPath = socketPath;
        this.requestTimeout = requestTimeout;
        this.leaderPid = link.leaderPid();
        this.socket = link.socket();
        this.out = socket.getOutputStream();
        this.input = link.input();
        this.handler = Objects.requireNonNull(handler, "handler");
        this.watcher = new Thread(this::watch, "levelparty-follower-watcher");
        watcher.setDaemon(true);
    }

    /** Starts the watcher, which reads the socket in idle spells. */
    void start() {
        watcher.start();
    }

    /** Returns the leader's process id. */
    long leaderPid() {
        return leaderPid;
    }

    /** Returns whether the connection is closed or lost; once true, it stays true. */
    boolean isOver() {
        return over;
    }

    /** Asks the leader to push this connection its changes, once. */
    void startPushes() {
        if (pushing.compareAndSet(false, true)) {
            try {
                call(MessageType.SUBSCRIBE, MessageType.DONE, (wire, call) -> Protocol.writeSubscribe(wire, call.id));
            } catch (RuntimeException e) {
                pushing.set(false);
                throw e;
            }
        }
    }

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
    void close() {
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
        handler.onEnding(false);
        closeSocket();
        failAll(Failure.CLOSED, null);
        handler.onEnded();
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

    /** Why a call ended without a reply, turned into an exception on the caller's thread. */
    private enum Failure { CONNECTION_LOST, CLOSED }

    /** One request in flight, completed by the thread reading the socket (or by loss or close). */
    static final class Call {
        final MessageType request;
        final MessageType expectedReply;
        final Thread waiter = Thread.currentThread();
        /** The request id, set as the request is queued. */
        long id;
        /** A VALUE's value, an ENTRY as a StoreEntry, a PAGE's entries, a FOLLOWER_LIST's followers. */
        Object result;
        /** Whether the leader let a GET's value be cached. */
        boolean cacheable;
        /** A GET's cache ticket, taken by its writer as its request was queued. */
        long ticket;
        boolean flag;
        long count;
        private ErrorKind errorKind;
        private String errorMessage;
        private Failure failure;
        private Throwable failureCause;
        /** Written last by the completing thread: its volatile write publishes the fields above. */
        private volatile boolean done;

        private Call(MessageType request, MessageType expectedReply) {
            this.request = request;
            this.expectedReply = expectedReply;
        }

        private void succeed(Reply reply) {
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

        private void fail(Failure failure, Throwable cause) {
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

    /**
     * Sends a request that {@code writer} encodes and waits for its reply, of type
     * {@code expectedReply} (or CACHEABLE for a GET); returns the call, holding the reply's content.
     */
    Call call(MessageType request, MessageType expectedReply, RequestWriter writer) {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        Call call = new Call(request, expectedReply);
        boolean flushHere;
        sendLock.lock();
        try {
            checkUsable();
            call.id = ++lastRequestId;
            writer.write(pending, call); // a FrameTooLargeException leaves the buffer as it was
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
                // Polls first only for a lone call: with more in flight, the leader is busy with them, and
                // a polling caller would hold a CPU that the leader or the other callers need.
                input.spinBeforeBlocking(calls.size() == 1);
                if (!readFrame()) {
                    return;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            lose(e);
        }
    }

    /**
     * Reads one frame, blocking until it is there, and completes its call or hands it over as a push.
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
            if (!over && reply.type != null) { // else the connection is over, or a push this version does not know
                handler.onPush(reply);
            }
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

    /**
     * The watcher's loop: reads the socket whenever no call has been made for {@link #IDLE_NANOS},
     * or for {@link #PUSH_IDLE_NANOS} once the leader pushes changes, which then reach the handler
     * that much sooner after the calls stop.
     */
    private void watch() {
        while (!over) {
            long idle = pushing.get() ? PUSH_IDLE_NANOS : IDLE_NANOS;
            if (System.nanoTime() - lastCallNanos < idle || !reading.compareAndSet(false, true)) {
                LockSupport.parkNanos(this, idle);
                continue;
            }
            try {
                input.spinBeforeBlocking(false); // an idle follower's watcher waits for what may never come
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

    /**
     * Ends the connection as lost, with {@code cause}, unless it already ended: fails every call,
     * then runs the connection-lost callbacks. Called by whichever thread sees the failure.
     */
    void lose(Throwable cause) {
        List<Runnable> callbacks;
        sendLock.lock();
        try {
            if (closed || lostCause != null) {
                return;
            }
            lostCause = cause;
            over = true;
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
        handler.onEnding(true); // after `over`, which the handler may rely on
        closeSocket();
        failAll(Failure.CONNECTION_LOST, cause);
        handler.onEnded();
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
}
