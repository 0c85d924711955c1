package io.levelparty.tck.party;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces one load thread of a worker process to a fixed rate of calls, so that the threads of
 * several processes on one machine share it instead of starving each other. Pacing only shapes
 * the load: no check of a contract depends on it. Not thread-safe: one per thread.
 */
final class Pacer {
    private final long intervalNanos;
    private long next = System.nanoTime();

    Pacer(int perSecond) {
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
    }

    /**
     * Waits for the thread's next turn: turns come at its rate, and a thread that falls behind
     * starts again from now rather than catching up in a burst.
     */
    void await() {
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        } else {
            next = System.nanoTime();
        }
    }
}
