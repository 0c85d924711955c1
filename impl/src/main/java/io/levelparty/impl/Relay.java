package io.levelparty.impl;

import io.levelparty.Change.GapReason;
import java.util.ArrayDeque;
import java.util.function.ToLongFunction;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands items from threads that must never wait (a leader committing writes, a follower's socket
 * reader) to a consumer that may be slow, on a daemon thread of its own, in order.
 *
 * <p>The queue is bounded, in items and in the weight its items add up to (their bytes, as the
 * caller weighs them; one item is queued whatever its weight): an item offered when it is full is
 * dropped, and the consumer is told
 * where, by a gap marker queued before the next item that fits (the marker may exceed the bound by
 * one), or delivered once the queue has drained, whichever comes first. Gaps can also be queued directly, when the producer knows items were lost upstream.
 * Consecutive gaps are merged: the consumer sees at most one between two items.
 *
 * @param <T> the items
 */
final class Relay<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    /** Where the relay's thread delivers. */
    interface Sink<T> {
        void accept(T item) throws Exception;

        void gap(GapReason reason) throws Exception;
    }

    /** A gap in the queue. */
    private record Gap(GapReason reason) {}

    private final int capacity;
    private final long maxWeight;
    private final ToLongFunction<T> weigher;
    private final Sink<T> sink;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    /** Items (of type T) and Gap markers. Guarded by lock. */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    /** A gap not yet queued, because the queue was full. Guarded by lock. */
    private GapReason pendingGap;
    /** Whether a gap was queued after the last item (delivered or not). Guarded by lock. */
    private boolean lastIsGap;
    /** The weight of the items queued. Guarded by lock. */
    private long queuedWeight;
    private volatile boolean closed;
    private final Thread thread;

    /** A relay of at most {@code capacity} items, whatever their weight. */
    Relay(String threadName, int capacity, Sink<T> sink) {
        this(threadName, capacity, Long.MAX_VALUE, item -> 0, sink);
    }

    /** A relay of at most {@code capacity} items, weighing at most {@code maxWeight} by {@code weigher}. */
    Relay(String threadName, int capacity, long maxWeight, ToLongFunction<T> weigher, Sink<T> sink) {
        this.capacity = capacity;
        this.maxWeight = maxWeight;
        this.weigher = weigher;
        this.sink = sink;
        this.thread = new Thread(this::deliver, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code item}, or drops it and records a gap if the queue is full. Never blocks. */
    void offer(T item) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long weight = weigher.applyAsLong(item);
            if (queue.size() >= capacity || (queuedWeight > 0 && queuedWeight + weight > maxWeight)) {
                pendingGap = GapReason.OVERFLOW;
                return;
            }
            if (pendingGap != null) {
                queue.add(new Gap(pendingGap));
                pendingGap = null;
            }
            queue.add(item);
            queuedWeight += weight;
            lastIsGap = false;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Queues a gap for {@code reason}, unless the consumer is already due one here. Never blocks. */
    void gap(GapReason reason) {
        lock.lock();
        try {
            if (closed || pendingGap != null || lastIsGap) {
                return;
            }
            if (queue.size() >= capacity) {
                pendingGap = reason;
                return;
            }
            queue.add(new Gap(reason));
            lastIsGap = true;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Stops delivering: items still queued are dropped, and the thread ends. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            queuedWeight = 0;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private void deliver() {
        while (true) {
            Object next;
            lock.lock();
            try {
                while (queue.isEmpty() && pendingGap == null && !closed) {
                    notEmpty.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                if (queue.isEmpty()) { // drained after dropping items: the gap goes last
                    next = new Gap(pendingGap);
                    pendingGap = null;
                    lastIsGap = true;
                } else {
                    next = queue.poll();
                    if (!(next instanceof Gap)) {
                        queuedWeight -= weigher.applyAsLong((T) next);
                    }
                }
            } finally {
                lock.unlock();
            }
            try {
                if (next instanceof Gap gap) {
                    sink.gap(gap.reason());
                } else {
                    sink.accept((T) next);
                }
            } catch (Exception | AssertionError e) {
                if (closed) {
                    return;
                }
                log.warn("{} failed to take {}; going on with the next", thread.getName(), next, e);
            }
        }
    }
}
