package io.levelparty.etcd;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.levelparty.Change;
import io.levelparty.Subscription;
import io.levelparty.spi.ChangeListener;
import io.levelparty.spi.StoreWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An etcd watch on the map's keys, turned into {@link ChangeListener} calls, one per etcd
 * revision, numbered by that revision: what feeds one {@link EtcdStore#subscribe subscription}, and
 * the {@link RelaxedReadCache} of a {@link io.levelparty.Consistency#RELAXED} store.
 *
 * <p>The watch starts at a revision the store read, so every write committed after that read is
 * delivered, in revision order. This feed, not jetcd, resumes a watch that ends for any reason (a
 * lost connection, a member without a leader, a cancel), always from the first revision it has not
 * delivered: jetcd's own resumption may start after revisions a watch created behind the head had
 * not delivered yet (it moves its resume point to the head when the watch is created), and so skip
 * them silently. A resumed watch therefore loses nothing and reports no gap, unless etcd compacted
 * the history it needs meanwhile: then the changes up to the compaction revision cannot be had, the
 * listener gets a gap ({@link Change.GapReason#COMPACTED}), and the watch resumes after the
 * compaction revision; the change at that revision counts as missed, inside the gap.
 *
 * <p>Every watch starts one revision before the first one it needs, and the revision it starts at
 * is dropped ({@link #deliver}): an etcd without the fix of etcd-io/etcd#18089 (3.4.23 is one) can
 * drop a deletion committed at exactly the compaction revision from a watch that starts there, and
 * so the only revision that can be lost that way is one already delivered, or already inside a
 * gap. When the revision before the first one needed is itself compacted away, that costs a gap
 * where etcd might still have delivered everything, which is the safe side.
 *
 * <p>{@link Health} learns when the watch is created (from then on, every change after its start
 * is on its way) and when it ends (changes may be delayed, or lost to a compaction), before any
 * change of the next watch. Every call to the listener and to {@code Health} is made under this
 * feed's lock, in order, on a thread of the etcd client or of the store's restart scheduler.
 */
final class WatchFeed implements Subscription {
    /** How long to wait before starting a watch again after one that never got created. */
    private static final long RESTART_PAUSE_MILLIS = 200;

    /** Learns when the watch is in place and when it is not. */
    interface Health {
        /** The watch is created: every change from {@code fromRevision} on will be delivered. */
        void live(long fromRevision);

        /** The watch ended: changes may arrive late, or (after a compaction) not at all. */
        void lost();

        /** Health that nobody needs. */
        Health NONE = new Health() {
            @Override
            public void live(long fromRevision) {}

            @Override
            public void lost() {}
        };
    }

    private final Watch watch;
    private final KeySpace keys;
    private final ChangeListener listener;
    private final Health health;
    private final ScheduledExecutorService scheduler;
    /** The first revision not yet delivered; guarded by this. */
    private long nextRevision;
    /** The watch whose responses count, or null between two; guarded by this. */
    private Attempt current;
    private boolean closed;

    WatchFeed(Watch watch, KeySpace keys, ChangeListener listener, Health health, long fromRevision,
            ScheduledExecutorService scheduler) {
        this.watch = watch;
        this.keys = keys;
        this.listener = listener;
        this.health = health;
        this.nextRevision = fromRevision;
        this.scheduler = scheduler;
    }

    /** Starts a watch from the first revision not delivered, unless the feed is closed. */
    void start() {
        Attempt attempt = new Attempt();
        WatchOption option;
        synchronized (this) {
            if (closed) {
                return;
            }
            current = attempt;
            option = WatchOption.builder()
                    .withRange(keys.end())
                    .withRevision(Math.max(1, nextRevision - 1)) // one before: see the class comment
                    // The created notice tells Health when the watch is in place.
                    .withCreateNotify(true)
                    // A member cut off from its cluster fails the watch instead of going silent.
                    .withRequireLeader(true)
                    .build();
        }
        // Not under this feed's lock: jetcd calls the listener under a lock of its own.
        Watch.Watcher watcher;
        try {
            watcher = watch.watch(keys.start(), option, attempt);
        } catch (RuntimeException e) {
            synchronized (this) {
                if (current == attempt) {
                    current = null;
                }
            }
            later(RESTART_PAUSE_MILLIS, () -> {}); // the client refused (closing): try again unless the store closed
            return;
        }
        attempt.watcher = watcher;
        boolean replaced;
        synchronized (this) {
            replaced = current != attempt;
        }
        if (replaced) {
            watcher.close(); // the feed closed, or the watch already ended, while it was being created
        }
    }

    /** One etcd watch of this feed; its responses count only while it is the current one. */
    private final class Attempt implements Watch.Listener {
        volatile Watch.Watcher watcher;
        /** Whether etcd created it; guarded by the feed. */
        private boolean created;

        @Override
        public void onNext(WatchResponse response) {
            synchronized (WatchFeed.this) {
                if (current != this || closed) {
                    return;
                }
                if (response.isCreatedNotify()) {
                    created = true;
                    health.live(nextRevision);
                    return;
                }
                List<StoreWrite> writes = new ArrayList<>();
                long revision = 0;
                for (WatchEvent event : response.getEvents()) {
                    KeyValue kv = event.getKeyValue();
                    if (revision != 0 && kv.getModRevision() != revision) {
                        deliver(revision, writes);
                        writes = new ArrayList<>();
                    }
                    revision = kv.getModRevision();
                    byte[] key = keys.mapKey(kv.getKey());
                    writes.add(event.getEventType() == WatchEvent.EventType.DELETE ? StoreWrite.delete(key)
                            : StoreWrite.put(key, kv.getValue().getBytes()));
                }
                if (revision != 0) {
                    deliver(revision, writes);
                }
            }
        }

        @Override
        public void onError(Throwable error) {
            ended(this, error);
        }

        @Override
        public void onCompleted() {
            ended(this, null);
        }
    }

    /** Passes one revision's writes on; called in revision order, with this held. */
    private void deliver(long revision, List<StoreWrite> writes) {
        if (revision < nextRevision) {
            return;
        }
        nextRevision = revision + 1;
        listener.onChanges(revision, List.copyOf(writes));
    }

    /**
     * The watch of {@code attempt} ended, with {@code error} or none: tells Health, and the
     * listener of a compaction, then starts the next watch off the client's thread.
     */
    private void ended(Attempt attempt, Throwable error) {
        long pause;
        synchronized (this) {
            if (current != attempt || closed) {
                return; // a watch this feed replaced or closed
            }
            current = null;
            health.lost();
            if (error != null && RetryingCalls.unwrap(error) instanceof CompactedException compacted) {
                // Resume after the compaction revision, never at it: see the class comment.
                nextRevision = Math.max(nextRevision, compacted.getCompactedRevision() + 1);
                listener.onGap(Change.GapReason.COMPACTED);
            }
            pause = attempt.created ? 0 : RESTART_PAUSE_MILLIS;
        }
        // jetcd resumes a watch after some errors by itself; closing it first keeps that from happening.
        later(pause, () -> {
            Watch.Watcher w = attempt.watcher;
            if (w != null) {
                w.close();
            }
        });
    }

    /** Runs {@code before}, then {@link #start}, after {@code millis}, unless the store has closed meanwhile. */
    private void later(long millis, Runnable before) {
        try {
            scheduler.schedule(() -> {
                before.run();
                start();
            }, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the store closed: nothing to start
        }
    }

    @Override
    public void close() {
        Attempt attempt;
        synchronized (this) {
            closed = true;
            attempt = current;
            current = null;
        }
        Watch.Watcher w = attempt == null ? null : attempt.watcher;
        if (w != null) {
            w.close();
        }
    }
}
