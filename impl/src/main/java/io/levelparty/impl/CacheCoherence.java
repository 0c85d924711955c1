package io.levelparty.impl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of the followers' {@code STRICT} caches: every write is
 * <em>invalidated, then applied, then acknowledged</em>, so that no follower serves a value once
 * anyone could have read a newer one.
 *
 * <h2>Leases</h2>
 * A caching follower holds a {@link LeaderSideLease}, which has one of {@value #MAX_LEASES} slots.
 * The follower serves cached values only while the leader's stamp on the last frame it processed
 * on that connection, plus {@link #LEASE_NANOS}, is in the future; the leader sends a heartbeat
 * every {@link #HEARTBEAT_NANOS}.
 *
 * <h2>Stripes</h2>
 * Keys hash to {@value #STRIPES} stripes. Each stripe has
 * <ul>
 *   <li>{@code pending}: how many writes to its keys are between {@link #beginWrite} and
 *       {@link Write#close()};
 *   <li>{@code epoch}: bumped as each of those writes begins;
 *   <li>{@code holders}: a bit per lease slot whose follower may cache a key of the stripe: set by
 *       every read served for it; cleared when the follower acknowledges an INVALIDATE of a key of
 *       the stripe, since it then drops every key of the stripe it caches (see {@link FollowerCache}),
 *       and when the slot is released. Writes to a stripe no follower read since its last write
 *       cost no round trip.
 * </ul>
 *
 * <h2>A write</h2>
 * {@link #beginWrite}: pending and epoch of each key's stripe go up ({@link #markPending}); then
 * ({@link #awaitInvalidated}) every lease in the
 * stripes' holders is sent the keys (INVALIDATE), and the write waits until each has acknowledged
 * them, or has ended (the follower closed the connection: it stopped serving from its cache
 * first), or, after {@link #ACK_DEADLINE_NANOS}, has been cut off, in which case the write also
 * waits out the lease of the last frame the follower may have processed. The holder bits of the
 * followers that acknowledged are cleared for the write's stripes. Only then is the write
 * applied, and {@link Write#close()} lowers pending again.
 *
 * <h2>A read for a follower</h2>
 * {@link #beforeRead} notes the stripe's epoch and, unless the stripe has a write pending, then
 * sets the follower's holder bit; {@link #cacheableAfterRead} tells whether the epoch is
 * unchanged. The reply may be cached only if no write was pending and the epoch is unchanged. Why
 * that suffices, with sequentially consistent atomics: if a write to the key began (pending up,
 * then epoch up) before the read noted the epoch, the read sees it pending, or sees it done and so
 * reads its value. If it began after, either its epoch bump precedes the read's second look, and
 * the read is not cacheable, or it follows it, and then the write looked at the holders after the
 * read set its bit: it sends the follower an INVALIDATE, which the follower receives after taking
 * the ticket of its read (see {@link FollowerCache}), so it drops whatever the read brings.
 *
 * <p>Why clearing a holder bit at the acknowledgement is safe: the follower dropped every key of
 * the stripe it cached, and refuses to cache any read of the stripe whose ticket is older than the
 * drop, which covers every read that could still be cacheable (it noted the epoch before the write
 * began). Every read of the stripe from then until the write closes sees it pending and is not
 * cacheable. So until a read after the write sets the bit again, the follower holds nothing of the
 * stripe, and later writes need not ask it. This is why the bit is set only after the pending
 * check: set before it, the bit of a read could be cleared by a write that then closed before the
 * read's pending check, and the read was cached with no bit left to show it (a follower then served
 * the value for as long as it kept reading the key, whatever was written after).
 *
 * <h2>A new term</h2>
 * A leader knows nothing of the caches an earlier leader's leases let followers keep, and a
 * follower may serve them until it notices that leader's end, or until the last stamp it got from
 * it expires. So a new leader applies no write ({@link #fence}) until each follower that held such
 * a lease ({@link LeaseRecords}) has connected to it, which it does only after it stopped serving
 * from its cache (see {@link RemoteStore#cached}), or until {@link #LEASE_NANOS} after it took the
 * directory's lock, when every earlier stamp has expired: an earlier leader sent its last stamp
 * before it let go of the lock, by dying or by closing its server before its database. Reads need
 * no fence: until the first write, every cached value is the current one. A follower clears its
 * cache at each new term, so it caches only what this leader's invalidations cover.
 */
final class CacheCoherence {
    private static final Logger log = LoggerFactory.getLogger(CacheCoherence.class);
    /** How long a frame's stamp keeps a follower's cache usable. */
    static final long LEASE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How often the leader stamps a lease connection when it has nothing else to send. */
    static final long HEARTBEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How long a write waits for a follower's acknowledgement before cutting it off; more than the lease. */
    static final long ACK_DEADLINE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** How many followers may cache at once: one holder bit each. */
    static final int MAX_LEASES = Long.SIZE;
    /**
     * How many stripes keys hash to. A follower that acknowledges an INVALIDATE drops every key it
     * caches in the stripes of the keys named: a cache of the default 10,000 entries holds about
     * one key per stripe. More stripes would drop fewer, but every leader allocates its arrays,
     * about 20 bytes a stripe, when it opens.
     */
    static final int STRIPES = 1 << 13;

    private final AtomicIntegerArray pending = new AtomicIntegerArray(STRIPES);
    private final AtomicLongArray epochs = new AtomicLongArray(STRIPES);
    private final AtomicLongArray holders = new AtomicLongArray(STRIPES);
    private final AtomicReferenceArray<LeaderSideLease> leases = new AtomicReferenceArray<>(MAX_LEASES);
    /** Tokens are unguessable across leaders, so that a follower cannot bind to a lease of another term. */
    private final AtomicLong nextToken = new AtomicLong(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    private final ReentrantLock lock = new ReentrantLock();
    /** Leases cut off because their follower missed an acknowledgement deadline. */
    private final LongAdder cutOffs = new LongAdder();
    /** Signalled when a lease acknowledges or ends, if writes are waiting. */
    private final Condition settled = lock.newCondition();
    /** How many writes wait for leases. Guarded by lock. */
    private int waiting;
    private volatile boolean closed;
    /** Whether writes wait for the caches of the previous terms (see A new term). */
    private volatile boolean fenced;
    /** The former lease holders that have not connected yet. Guarded by lock. */
    private final Set<UUID> awaitedHolders = new HashSet<>();
    /** When the last lease a previous leader granted has expired, as System.nanoTime(). Guarded by lock. */
    private long fenceDeadline;
    /** Runs once when the fence lifts, outside the lock. Guarded by lock. */
    private Runnable onFenceLifted;

    /** A write between its invalidation and its end; {@link #close()} must follow it being applied (or failing). */
    interface Write extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Grants a lease to a follower and returns it, or null if {@value #MAX_LEASES} leases are taken
     * or this leader is closing. {@code newLease} makes the lease from its slot and token.
     */
    LeaderSideLease grant(LeaseFactory newLease) {
        if (closed) {
            return null;
        }
        for (int slot = 0; slot < MAX_LEASES; slot++) {
            if (leases.get(slot) == null) {
                LeaderSideLease lease = newLease.create(slot, nextToken.incrementAndGet());
                if (leases.compareAndSet(slot, null, lease)) {
                    return lease;
                }
            }
        }
        return null;
    }

    /** Makes a lease for a slot and a token. */
    @FunctionalInterface
    interface LeaseFactory {
        LeaderSideLease create(int slot, long token);
    }

    /** Returns the live lease with {@code token}, or null. */
    LeaderSideLease leaseOf(long token) {
        for (int slot = 0; slot < MAX_LEASES; slot++) {
            LeaderSideLease lease = leases.get(slot);
            if (lease != null && lease.token() == token && lease.isLive()) {
                return lease;
            }
        }
        return null;
    }

    /**
     * Frees the slot of {@code lease}, which has ended and whose follower can no longer serve
     * from its cache: writes stop waiting for it.
     */
    void release(LeaderSideLease lease) {
        if (leases.get(lease.slot()) != lease) {
            return;
        }
        // The bits first, the slot last: the next lease of the slot must not lose bits its reads set.
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            clearHolders(stripe, 1L << lease.slot());
        }
        leases.compareAndSet(lease.slot(), lease, null);
    }

    /** Clears the holder bits {@code slots} of {@code stripe}. */
    private void clearHolders(int stripe, long slots) {
        long mask;
        do {
            mask = holders.get(stripe);
        } while ((mask & slots) != 0 && !holders.compareAndSet(stripe, mask, mask & ~slots));
    }

    /** Wakes the writes waiting for leases: one acknowledged, or ended. */
    void leaseSettled() {
        lock.lock();
        try {
            if (waiting > 0) {
                settled.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called before reading {@code key} for the follower holding {@code lease}.
     *
     * @return the stripe's epoch, to pass to {@link #cacheableAfterRead}, or -1 if a write to the
     *     stripe is pending, in which case the read is not cacheable
     */
    long beforeRead(byte[] key, LeaderSideLease lease) {
        int stripe = stripeOf(key);
        long epoch = epochs.get(stripe);
        if (pending.get(stripe) > 0) {
            return -1;
        }
        // The bit only after the epoch and pending: a write that clears it on its acknowledgement
        // was pending when we looked, or began after, so it bumps the epoch before our second look
        // (not cacheable) or reads the holders after we set the bit (it invalidates us).
        long bit = 1L << lease.slot();
        if ((holders.get(stripe) & bit) == 0) {
            holders.getAndAccumulate(stripe, bit, (mask, b) -> mask | b);
        }
        return epoch;
    }

    /** Returns whether a read of {@code key} may be cached, given what {@link #beforeRead} returned. */
    boolean cacheableAfterRead(byte[] key, long epochBefore) {
        return epochBefore >= 0 && epochs.get(stripeOf(key)) == epochBefore;
    }

    /**
     * Begins a write of {@code keys}: returns once no follower can serve a cached value of them,
     * and until the returned write is closed no follower caches one. The follower holding
     * {@code writersLease} (null for none) sent the write, and is not waited for: it dropped the
     * keys itself as it sent it, and its later reads are served after it, or while it is pending
     * (see {@link RemoteStore} and {@link LeaderSideConnection}).
     *
     * @throws TermEndedException if this leader closes meanwhile; the write must not be applied
     */
    Write beginWrite(List<byte[]> keys, LeaderSideLease writersLease) {
        Write write = markPending(keys);
        try {
            awaitInvalidated(keys, writersLease);
        } catch (RuntimeException | Error e) {
            write.close();
            throw e;
        }
        return write;
    }

    /**
     * The first half of {@link #beginWrite}: from now until the returned write is closed, no read
     * of {@code keys} is cacheable. Cheap, and never waits: a connection marks each write it
     * reads before it reads the next request.
     */
    Write markPending(List<byte[]> keys) {
        for (byte[] key : keys) {
            int stripe = stripeOf(key);
            pending.incrementAndGet(stripe);
            epochs.incrementAndGet(stripe);
        }
        return () -> {
            for (byte[] key : keys) {
                pending.decrementAndGet(stripeOf(key));
            }
        };
    }

    /**
     * The second half of {@link #beginWrite}, once {@code keys} are {@linkplain #markPending marked
     * pending}: returns once no follower but the writer can serve a cached value of them.
     *
     * @throws TermEndedException if this leader closes meanwhile; the write must not be applied
     */
    void awaitInvalidated(List<byte[]> keys, LeaderSideLease writersLease) {
        if (fenced) {
            awaitFence();
        }
        long holding = holdersOf(keys, writersLease);
        if (holding != 0) {
            invalidate(keys, holding);
        }
    }

    /**
     * Whether {@link #awaitInvalidated} would return at once, with nothing to wait for: so the write
     * may be applied now. Only after {@code keys} were {@linkplain #markPending marked pending}.
     */
    boolean invalidatedAtOnce(List<byte[]> keys, LeaderSideLease writersLease) {
        return !fenced && holdersOf(keys, writersLease) == 0;
    }

    /**
     * The slots of the followers that may cache a key of {@code keys}, but the writer's. Read after
     * the keys were marked pending: a read that sets its bit later sees them pending, or its epoch
     * changed, and is not cacheable.
     */
    private long holdersOf(List<byte[]> keys, LeaderSideLease writersLease) {
        long holding = 0;
        for (byte[] key : keys) {
            holding |= holders.get(stripeOf(key));
        }
        // The writer's slot is skipped only while it still holds the writer's lease, checked after
        // the holders were read: a lease that ended may have left its slot to another follower,
        // whose bits must not be taken for the writer's; one granted after this check reads these
        // stripes only once this write is pending, so caches none of it.
        if (writersLease != null && leases.get(writersLease.slot()) == writersLease) {
            holding &= ~(1L << writersLease.slot());
        }
        return holding;
    }

    private void invalidate(List<byte[]> keys, long holding) {
        List<LeaderSideLease> targets = new ArrayList<>(Long.bitCount(holding));
        List<Long> seqs = new ArrayList<>(Long.bitCount(holding));
        for (long rest = holding; rest != 0; rest &= rest - 1) {
            LeaderSideLease lease = leases.get(Long.numberOfTrailingZeros(rest));
            if (lease != null) {
                targets.add(lease);
                seqs.add(lease.invalidate(keys));
            }
        }
        awaitSettled(targets, seqs);
        long acknowledged = 0; // the followers that now hold nothing of these stripes
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).hasAcknowledged(seqs.get(i))) {
                acknowledged |= 1L << targets.get(i).slot();
            }
        }
        if (acknowledged != 0) {
            for (byte[] key : keys) {
                clearHolders(stripeOf(key), acknowledged);
            }
        }
    }

    /**
     * Waits until each lease has acknowledged its seq, or ended and waited out its lease; cuts off
     * the late. Not interruptible: the wait is bounded by {@link #ACK_DEADLINE_NANOS} plus a lease,
     * and a write given up half-way would leave the caller unsure whether it was applied, so an
     * interrupt only stays set for the caller.
     *
     * @throws TermEndedException if this leader closes meanwhile
     */
    private void awaitSettled(List<LeaderSideLease> targets, List<Long> seqs) {
        long deadline = System.nanoTime() + ACK_DEADLINE_NANOS;
        boolean interrupted = false;
        lock.lock();
        waiting++;
        try {
            for (;;) {
                long now = System.nanoTime();
                long wait = Long.MAX_VALUE;
                for (int i = 0; i < targets.size(); i++) {
                    LeaderSideLease lease = targets.get(i);
                    if (lease.hasAcknowledged(seqs.get(i))) {
                        continue;
                    }
                    if (now - deadline >= 0 && lease.cutOff()) {
                        cutOffs.increment();
                    }
                    long untilSafe = lease.nanosUntilSafe(now);
                    if (untilSafe <= 0) {
                        continue;
                    }
                    wait = Math.min(wait, Math.max(Math.min(untilSafe, deadline - now), 1));
                }
                if (wait == Long.MAX_VALUE) {
                    return;
                }
                if (closed) {
                    throw new TermEndedException("The leader is closing; the write was not applied");
                }
                interrupted |= awaitQuietly(wait);
            }
        } finally {
            waiting--;
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Holds every write back until each of {@code formerHolders}, the clients that may still serve
     * values cached under a previous leader's lease, has connected to this leader, or until
     * {@code deadlineNanos}, when every such lease has expired; then runs {@code onLifted} once.
     * Called once, before this leader serves anyone.
     */
    void fence(Set<UUID> formerHolders, long deadlineNanos, Runnable onLifted) {
        lock.lock();
        try {
            awaitedHolders.addAll(formerHolders);
            fenceDeadline = deadlineNanos;
            onFenceLifted = onLifted;
            fenced = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Notes that {@code client} has connected to this leader. A follower connects only after it
     * stopped serving from its cache under any earlier lease (see {@link RemoteStore}), so the
     * fence need not wait for it any more.
     */
    void arrived(UUID client) {
        if (!fenced) {
            return;
        }
        Runnable lifted;
        lock.lock();
        try {
            if (!awaitedHolders.remove(client) || !awaitedHolders.isEmpty()) {
                return;
            }
            lifted = liftFence();
        } finally {
            lock.unlock();
        }
        runLifted(lifted);
    }

    /** Waits until the fence lifts. Not interruptible, like {@link #awaitSettled}: it is bounded by a lease. */
    private void awaitFence() {
        Runnable lifted = null;
        boolean interrupted = false;
        lock.lock();
        try {
            while (fenced) {
                long left = fenceDeadline - System.nanoTime();
                if (left <= 0) {
                    log.debug("Writing after the leases of an earlier leader expired: {} of its caching followers never "
                            + "connected ({})", awaitedHolders.size(), awaitedHolders);
                    lifted = liftFence();
                    break;
                }
                if (closed) {
                    throw new TermEndedException("The leader is closing; the write was not applied");
                }
                interrupted |= awaitQuietly(left);
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        runLifted(lifted);
    }

    /** Lifts the fence and wakes the writes it held; returns what to run once outside the lock. Under lock. */
    private Runnable liftFence() {
        if (!fenced) {
            return null;
        }
        fenced = false;
        awaitedHolders.clear();
        settled.signalAll();
        Runnable lifted = onFenceLifted;
        onFenceLifted = null;
        return lifted;
    }

    private static void runLifted(Runnable lifted) {
        if (lifted != null) {
            lifted.run();
        }
    }

    /** Waits on {@code settled} for at most {@code nanos}; returns whether the wait was interrupted. Under lock. */
    private boolean awaitQuietly(long nanos) {
        try {
            settled.awaitNanos(nanos);
            return false;
        } catch (InterruptedException e) {
            return true; // the flag was cleared by the throw, so the next wait blocks again
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Ends every wait: the leader is closing, and writes that have not begun to apply fail. */
    void close() {
        closed = true;
        lock.lock();
        try {
            settled.signalAll();
        } finally {
            lock.unlock();
        }
    }

    static int stripeOf(byte[] key) {
        int h = Arrays.hashCode(key);
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /** Returns how many leases were cut off because their follower missed an acknowledgement deadline. */
    long cutOffs() {
        return cutOffs.sum();
    }
}
