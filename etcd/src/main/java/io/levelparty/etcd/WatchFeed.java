package io.levelparty.etcd;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
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
import java.util.function.LongSupplier;

/**
 * One {@link EtcdStore#subscribe subscription}: an etcd watch on the map's keys, turned into the
 * store's {@link ChangeListener} calls, one per etcd revision, numbered by that revision.
 *
 * <p>The watch starts just after the revision the store read when the subscription was made, so
 * every write committed after {@code subscribe} returned is delivered, in revision order. jetcd
 * resumes a watch whose connection broke from the revision after the last one delivered, so a lost
 * connection loses nothing. A watch that ends for good (etcd cancels it) is started again from
 * there; when etcd has compacted that history away, the changes cannot be had any more: the
 * listener gets a gap ({@link Change.GapReason#OVERFLOW}: the subscriber fell behind what the
 * store keeps) and the watch starts again from the current revision.
 */
final class WatchFeed implements Watch.Listener, Subscription {
    private static final long RESTART_PAUSE_MILLIS = 200;

    private final Watch watch;
    private final KeySpace keys;
    private final ChangeListener listener;
    private final LongSupplier currentRevision;
    private final ScheduledExecutorService scheduler;
    /** The first revision not yet delivered; guarded by this. */
    private long nextRevision;
    private Watch.Watcher watcher;
    private volatile Throwable lastError;
    private volatile boolean closed;

    WatchFeed(Watch watch, KeySpace keys, ChangeListener listener, long fromRevision, LongSupplier currentRevision,
            ScheduledExecutorService scheduler) {
        this.watch = watch;
        this.keys = keys;
        this.listener = listener;
        this.nextRevision = fromRevision;
        this.currentRevision = currentRevision;
        this.scheduler = scheduler;
    }

    synchronized void start() {
        if (closed) {
            return;
        }
        WatchOption option = WatchOption.builder().withRange(keys.end()).withRevision(nextRevision).build();
        watcher = watch.watch(keys.start(), option, this);
    }

    @Override
    public void onNext(WatchResponse response) {
        List<StoreWrite> writes = new ArrayList<>();
        long revision = 0;
        synchronized (this) {
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

    /** Passes one revision's writes on; called in revision order, with this held. */
    private void deliver(long revision, List<StoreWrite> writes) {
        if (revision < nextRevision || closed) {
            return;
        }
        nextRevision = revision + 1;
        listener.onChanges(revision, List.copyOf(writes));
    }

    @Override
    public void onError(Throwable error) {
        // jetcd resumes by itself after errors it can; onCompleted follows the others.
        lastError = error;
    }

    @Override
    public void onCompleted() {
        if (!closed) {
            later(0);
        }
    }

    /** Runs {@link #restart} after {@code millis}, unless the store has closed meanwhile. */
    private void later(long millis) {
        try {
            scheduler.schedule(this::restart, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the store closed: nothing to restart
        }
    }

    private void restart() {
        if (closed) {
            return;
        }
        try {
            if (RetryingCalls.isCompaction(lastError)) {
                long current = currentRevision.getAsLong();
                synchronized (this) {
                    nextRevision = current + 1;
                }
                listener.onGap(Change.GapReason.OVERFLOW);
            }
            lastError = null;
            start();
        } catch (RuntimeException e) {
            // lastError is kept: a compaction is still told once the current revision can be read.
            if (!closed) {
                later(RESTART_PAUSE_MILLIS);
            }
        }
    }

    @Override
    public void close() {
        Watch.Watcher w;
        synchronized (this) {
            closed = true;
            w = watcher;
        }
        if (w != null) {
            w.close();
        }
    }
}
