package io.levelparty.impl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The leader's queue of synced writes waiting to be committed, which lets concurrent synced writes
 * share one commit: one LevelDB batch, and with it one sync of LevelDB's log. Unsynced writes
 * commit one at a time, under the same lock.
 *
 * <p>A synced write joins the queue; the write at its head commits itself together with the writes
 * queued behind it (a group), while the rest wait; when the group is committed, its writes are
 * done and the new head commits the next group. Under a single writer every group has one write;
 * under many, a group has as many writes as arrived during the previous sync, which is what
 * makes synced writes of several connections cost one sync rather than one each.
 *
 * <p>The order of the queue is the commit order: a group's writes are staged one after the other,
 * each seeing the ones before it, and committed atomically, so every reader sees them in that
 * order. A group holds at most one numbered write of each client: a client's exactly-once records
 * are updated once per commit (see {@link ClientRecords}).
 *
 * <p>Waiting is uninterruptible: an interrupt of a writer's thread must not leave its write
 * undecided (the leader serves followers' writes on its connection threads). The interrupt stays
 * set for the caller.
 */
final class GroupCommit {
    /** At most this many writes are committed in one group. */
    static final int MAX_GROUP = 64;

    /** Guards the queue; held briefly, never while committing. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Writes not yet committed, the head first; the head's group is being committed. Guarded by {@link #lock}. */
    private final ArrayDeque<PendingWrite<?>> queue = new ArrayDeque<>();
    /** The size of {@link #queue}, for the uncontended path, which does not take {@link #lock}. */
    private volatile int queued;
    /** Held while a group commits: the store's write lock, which its other writers hold too. */
    private final ReentrantLock commitLock;
    /** Commits a group: decides the outcome of each of its writes. */
    private final Consumer<List<PendingWrite<?>>> commit;

    GroupCommit(ReentrantLock commitLock, Consumer<List<PendingWrite<?>>> commit) {
        this.commitLock = commitLock;
        this.commit = commit;
    }

    /** Returns once {@code write} is decided: committed, by this thread or with another's group, or failed. */
    void submit(PendingWrite<?> write) {
        if (!write.sync) {
            // An unsynced commit takes microseconds: writes of four busy followers met in groups of
            // one 95 % of the time, and the queue's hand-overs cost them a tenth of their throughput.
            commitLock.lock();
            try {
                commitHoldingLock(List.of(write));
                return;
            } finally {
                commitLock.unlock();
            }
        }
        // Uncontended: nobody queued and nobody committing; commit alone, without the queue. A write
        // that queues meanwhile waits for the commit lock. Never while writes queue: they would starve.
        if (queued == 0 && commitLock.tryLock()) {
            try {
                if (queued == 0) {
                    commitHoldingLock(List.of(write));
                    return;
                }
            } finally {
                commitLock.unlock();
            }
        }
        List<PendingWrite<?>> group;
        lock.lock();
        try {
            write.turn = lock.newCondition();
            queue.addLast(write);
            queued = queue.size();
            while (!write.decided && queue.peekFirst() != write) {
                write.turn.awaitUninterruptibly();
            }
            if (write.decided) {
                return;
            }
            group = groupAtHead();
        } finally {
            lock.unlock();
        }
        commitLock.lock();
        try {
            commitHoldingLock(group);
        } finally {
            commitLock.unlock();
            release(group);
        }
    }

    private void commitHoldingLock(List<PendingWrite<?>> group) {
        try {
            commit.accept(group);
        } catch (RuntimeException | Error e) {
            group.forEach(w -> w.failIfUndecided(e)); // no write of the group may wait for ever
            throw e;
        }
    }

    /** The writes at the head of the queue that commit together, in queue order. Called under {@link #lock}. */
    private List<PendingWrite<?>> groupAtHead() {
        List<PendingWrite<?>> group = new ArrayList<>(Math.min(queue.size(), MAX_GROUP));
        Set<UUID> clients = new HashSet<>();
        for (PendingWrite<?> w : queue) {
            if (group.size() == MAX_GROUP || (w.client() != null && !clients.add(w.client()))) {
                break;
            }
            group.add(w);
        }
        return group;
    }

    /** Takes the decided {@code group} off the queue, wakes its writes, and hands the head to the next write. */
    private void release(List<PendingWrite<?>> group) {
        lock.lock();
        try {
            for (PendingWrite<?> w : group) {
                queue.removeFirst();
                queued = queue.size();
                w.decided = true;
                w.turn.signal();
            }
            PendingWrite<?> next = queue.peekFirst();
            if (next != null) {
                next.turn.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Returns a write of {@code command} to submit, numbered {@code id} by its client, or unnumbered (null). */
    <R> PendingWrite<R> pending(WriteId id, WriteCommand<R> command, boolean sync) {
        return new PendingWrite<>(id, command, sync);
    }

    /**
     * One write in the queue, and then its outcome. The committing thread sets the outcome before
     * the write is marked decided under the queue's lock, which is what makes the outcome visible
     * to the write's own thread (or the write's own thread committed it).
     */
    static final class PendingWrite<R> {
        final WriteId id;
        final WriteCommand<R> command;
        final boolean sync;
        /** Signalled when this write is decided or reaches the head; set when it queues. Guarded by the queue's lock. */
        private Condition turn;
        /** Guarded by the queue's lock. */
        private boolean decided;
        /** Whether the commit set an outcome or a failure. */
        private boolean settled;
        private R outcome;
        private RuntimeException failure;

        private PendingWrite(WriteId id, WriteCommand<R> command, boolean sync) {
            this.id = id;
            this.command = command;
            this.sync = sync;
        }

        UUID client() {
            return id == null ? null : id.client();
        }

        void succeed(R value) {
            outcome = value;
            settled = true;
        }

        void fail(RuntimeException e) {
            failure = e;
            settled = true;
        }

        private void failIfUndecided(Throwable e) {
            if (!settled) {
                settled = true;
                failure = e instanceof RuntimeException r ? r : new IllegalStateException("The commit failed", e);
            }
        }

        /** Returns the outcome of the decided write, or throws its failure. */
        R outcome() {
            if (failure != null) {
                throw failure;
            }
            return outcome;
        }
    }
}
