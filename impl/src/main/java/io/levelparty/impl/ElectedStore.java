package io.levelparty.impl;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.levelparty.Change;
import io.levelparty.PartyClosedException;
import io.levelparty.PartyFollower;
import io.levelparty.PartyStats;
import io.levelparty.PartyUnavailableException;
import io.levelparty.Role;
import io.levelparty.Subscription;
import io.levelparty.spi.ChangeListener;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store a map sits on: whichever {@link Backend} the {@link Election} gave this process, and a
 * new one each time the leader is lost.
 *
 * <p>Implementation notes. {@link #backend} is the backend of the current term. A call runs against
 * it; if the connection to the leader is lost, the call asks for a new term with {@link #replace},
 * which runs the election for the first caller to notice and hands the result to the others
 * (they find {@code backend} already changed). The election also starts as soon as the follower's
 * reader sees the connection drop, on the {@link #events} thread, so the followers race for the
 * lock right away rather than at their next call.
 *
 * <p>Reads are simply repeated against the new term. Writes are resent under the number they
 * were first sent with ({@link WriteNumbers}), so each takes effect exactly once, whichever process
 * leads when it is resent. Every call gives up with {@link PartyUnavailableException} once the
 * request timeout has passed without a leader.
 */
final class ElectedStore implements PartyStore, PointReads {
    private static final Logger log = LoggerFactory.getLogger(ElectedStore.class);

    private final Election election;
    private final Duration requestTimeout;
    private final WriteNumbers numbers;
    private final Object termLock = new Object();
    private final List<Consumer<Role>> roleListeners = new CopyOnWriteArrayList<>();
    /** Subscribers to changes, fed by {@link #changes} in every term. */
    private final List<ChangeListener> changeListeners = new CopyOnWriteArrayList<>();
    private final ChangeListener changes = new ChangeListener() {
        @Override
        public void onChanges(long sequence, List<StoreWrite> writes) {
            for (ChangeListener listener : changeListeners) {
                listener.onChanges(sequence, writes);
            }
        }

        @Override
        public void onGap(Change.GapReason reason) {
            for (ChangeListener listener : changeListeners) {
                listener.onGap(reason);
            }
        }
    };
    /** Whether the current term's store feeds {@link #changes}. Guarded by termLock. */
    private boolean termSubscribed;
    /** Runs role listeners and eager re-elections; one daemon thread, so listeners see roles in order. */
    private final ExecutorService events;
    /** The current term's backend; null once closed, and then {@link #closed} is already true. */
    private volatile Backend backend;
    /** Writes made through this store. */
    private final LongAdder writes = new LongAdder();
    /**
     * The leader's counts of the terms this process led and that ended, and the failovers: written
     * under termLock, read without it, so that stats() never waits out an election.
     */
    private volatile long servedBefore;
    private volatile long cutOffsBefore;
    private volatile long failovers;
    private volatile long lastFailoverMicros = -1;
    private volatile boolean closed;

    private ElectedStore(Election election, Duration requestTimeout) {
        this.election = election;
        this.requestTimeout = requestTimeout;
        this.numbers = new WriteNumbers(election.clientId());
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "levelparty-events " + election.socket().getFileName());
            t.setDaemon(true);
            return t;
        });
    }

    /** Elects this process's first role, waiting at most {@code openTimeout}. */
    static ElectedStore open(Election election, Duration openTimeout, Duration requestTimeout) {
        Backend first = election.run(System.nanoTime() + openTimeout.toNanos());
        ElectedStore store = new ElectedStore(election, requestTimeout);
        store.install(first);
        return store;
    }

    /** Makes {@code next} the current term; called under termLock, or before the store is shared. */
    private void install(Backend next) {
        backend = next;
        termSubscribed = false;
        if (!changeListeners.isEmpty()) {
            subscribeTerm(next);
        }
        if (next instanceof Backend.Followership follower) {
            follower.store().onConnectionLost(() -> replaceSoon(next));
        } else if (next instanceof Backend.Leadership leader) {
            // A leader whose LevelDB failed a write ends its term (see LocalStore.onWriteFailure):
            // the followers race again, and the winner opens the database afresh.
            leader.store().onWriteFailure(() -> replaceSoon(next));
        }
    }

    /** Ends the term of {@code lost} and elects the next, on the events thread. */
    private void replaceSoon(Backend lost) {
        try {
            events.execute(() -> replaceEagerly(lost));
        } catch (RejectedExecutionException closing) {
            // the map is being closed: nobody needs a new term
        }
    }

    private void replaceEagerly(Backend lost) {
        try {
            replace(lost, System.nanoTime() + requestTimeout.toNanos());
        } catch (RuntimeException e) {
            log.debug("Re-election after losing the leader failed; the next call retries", e);
        }
    }

    /**
     * Returns the backend of the term after {@code lost}, electing it if nobody has yet.
     *
     * @throws PartyClosedException if this store was closed
     * @throws PartyUnavailableException if no leader is found before {@code deadlineNanos}
     */
    private Backend replace(Backend lost, long deadlineNanos) {
        synchronized (termLock) {
            checkOpen();
            Backend current = backend;
            if (current != lost) {
                return current; // another caller already started the next term
            }
            long start = System.nanoTime();
            lost.close();
            if (lost instanceof Backend.Leadership led) {
                servedBefore += led.server().served();
                cutOffsBefore += led.store().coherence().cutOffs();
            }
            if (!changeListeners.isEmpty()) {
                changes.onGap(Change.GapReason.LEADER_CHANGED); // after the old term's last change
            }
            Backend next = election.run(deadlineNanos);
            install(next);
            if (next.role() != lost.role()) {
                Role role = next.role();
                for (Consumer<Role> listener : roleListeners) {
                    events.execute(() -> listener.accept(role));
                }
            }
            failovers++;
            lastFailoverMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            log.info("{} is now {} of {}, {} µs after it lost the leader", this, next.role(), election.socket(),
                    lastFailoverMicros);
            return next;
        }
    }

    /** Runs the read {@code call} against the current term, repeating it in the next term if the leader is lost. */
    private <T> T read(Function<PartyStore, T> call) {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        Backend current = backend;
        while (true) {
            checkOpen();
            try {
                return call.apply(current.store());
            } catch (ConnectionLostException | TermEndedException e) {
                current = next(current, e, deadline);
            }
        }
    }

    /**
     * Applies {@code command} in the current term. If the leader is lost before the outcome
     * arrives, the write is resent to the next leader under the same number, which applies it only
     * if the lost leader had not (see {@link ClientRecords}): whatever the leader, it takes effect once. A write
     * made while this process leads needs no number, since nothing can be lost between a caller and
     * its own LevelDB; it gets one only when it was first sent to another leader.
     */
    private <R> R write(WriteCommand<R> command) {
        writes.increment();
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        Backend current = backend;
        WriteId id = null;
        try {
            while (true) {
                checkOpen();
                try {
                    if (current instanceof Backend.Leadership leader) {
                        boolean sync = election.syncWrites();
                        return id == null ? leader.store().apply(command, sync)
                                : leader.store().applyOnce(id, command, sync);
                    }
                    if (id == null) {
                        id = numbers.next();
                    }
                    return command.sendTo(((Backend.Followership) current).store(), id.seq(), id.ackedUpTo());
                } catch (ConnectionLostException | TermEndedException e) {
                    current = next(current, e, deadline);
                }
            }
        } finally {
            if (id != null) {
                numbers.done(id.seq()); // answered or abandoned: it will not be sent again
            }
        }
    }

    /**
     * Returns the term after {@code lost}, whose end {@code e} reported, or throws
     * {@link PartyClosedException} if the map itself was closed (which ends its term too).
     */
    private Backend next(Backend lost, RuntimeException e, long deadline) {
        if (closed) {
            PartyClosedException mapClosed = new PartyClosedException("The map of " + election.dir() + " is closed");
            mapClosed.initCause(e);
            throw mapClosed;
        }
        return replace(lost, deadline); // the term ended under the call, not the map
    }

    @Override
    public byte[] get(byte[] key) {
        return read(s -> s.get(key));
    }

    /**
     * Returns the follower cache's read of the map key {@code key} if it may serve it now, else
     * null (the caller then calls {@link #fetch}). No failover handling is needed here: a term
     * whose leader is lost serves nothing from the cache. The entry's bytes are the cache's own.
     */
    @Override
    public FollowerCache.Entry cached(String key) {
        Backend current = backend; // null once closed: fetch then reports it
        return current instanceof Backend.Followership follower ? follower.store().cached(key) : null;
    }

    /**
     * Reads {@code bytes}, the UTF-8 of the map key {@code key}, as {@link #get} does, except that a
     * follower does not look in its cache: the caller just did, through {@link #cached}.
     */
    @Override
    public byte[] fetch(String key, byte[] bytes) {
        return read(s -> s instanceof RemoteStore remote ? remote.fetch(key, bytes) : s.get(bytes));
    }

    @Override
    public byte[] put(byte[] key, byte[] value) {
        return write(new WriteCommand.Put(key, value));
    }

    @Override
    public byte[] delete(byte[] key) {
        return write(new WriteCommand.Delete(key));
    }

    @Override
    public boolean compareAndSet(byte[] key, byte[] expected, byte[] update) {
        return write(new WriteCommand.CompareAndSet(key, expected, update));
    }

    @Override
    public void batch(List<StoreWrite> writes) {
        write(new WriteCommand.Batch(writes));
    }

    @Override
    public StoreEntry navigate(byte[] key, Relation relation) {
        return read(s -> s.navigate(key, relation));
    }

    @Override
    public List<StoreEntry> scan(KeyRange range, boolean descending, int limit) {
        return read(s -> s.scan(range, descending, limit));
    }

    @Override
    public long count(KeyRange range) {
        return read(s -> s.count(range));
    }

    /** {@inheritDoc} A leader lists its connections; a follower asks the leader. */
    @Override
    public List<PartyFollower> followers() {
        Backend current = backend;
        checkOpen();
        if (current instanceof Backend.Leadership leader) {
            return leader.server().followers();
        }
        return read(PartyStore::followers);
    }

    @Override
    public void backup(Path destination) {
        read(s -> {
            s.backup(destination);
            return null;
        });
    }

    @Override
    public void compact(KeyRange range) {
        read(s -> {
            s.compact(range);
            return null;
        });
    }

    @Override
    public PartyStats stats() {
        Backend current = backend;
        checkOpen();
        long leaderPid = current instanceof Backend.Followership follower
                ? follower.store().leaderPid() : ProcessHandle.current().pid();
        FollowerCache cache = election.cache();
        CacheStats counts = cache == null ? CacheStats.empty() : cache.stats();
        long served = servedBefore;
        long cutOffs = cutOffsBefore;
        if (current instanceof Backend.Leadership leader) {
            served += leader.server().served();
            cutOffs += leader.store().coherence().cutOffs();
        }
        return new PartyStats(current.role(), leaderPid, counts.hitCount(), counts.missCount(), counts.evictionCount(),
                cache == null ? 0 : cache.size(), writes.sum(), served, cutOffs, failovers, lastFailoverMicros);
    }


    @Override
    public Role role() {
        Backend current = backend; // null once closed, which checkOpen then reports
        checkOpen();
        return current.role();
    }

    /**
     * {@inheritDoc} Across terms: each new term's store is subscribed in turn, and a gap marks every
     * change of term. The listener is called by the term's store, on its thread.
     */
    @Override
    public Subscription subscribe(ChangeListener listener) {
        synchronized (termLock) {
            checkOpen();
            changeListeners.add(listener);
            if (!termSubscribed) {
                subscribeTerm(backend);
            }
        }
        return () -> changeListeners.remove(listener);
    }

    /**
     * Feeds {@link #changes} from {@code term}'s store. If the connection to the leader fails
     * meanwhile, the term ends and the next one subscribes: the listeners then get a gap.
     */
    private void subscribeTerm(Backend term) {
        try {
            term.store().subscribe(changes);
            termSubscribed = true;
        } catch (ConnectionLostException | TermEndedException e) {
            log.debug("Subscribing to the changes of {} failed; the next term will: {}", this, e.toString());
        }
    }

    @Override
    public Subscription onRoleChange(Consumer<Role> listener) {
        roleListeners.add(listener);
        return () -> roleListeners.remove(listener);
    }

    /** Ends this process's part: if it leads, another process takes over. */
    @Override
    public void close() {
        synchronized (termLock) { // waits for an election in progress
            if (closed) {
                return;
            }
            closed = true;
            try {
                backend.close();
            } finally {
                // A closed map may be kept long after (test suites keep thousands): let it keep
                // no buffers, sockets or threads reachable.
                backend = null;
                election.dropCache();
                events.shutdown();
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new PartyClosedException("The map of " + election.dir() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "ElectedStore[" + election.dir() + "]";
    }
}
