package io.levelparty.impl;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * Whether a read about to block on a socket first polls it for a while, and the polling itself:
 * one per {@link FrameReader}, used by the thread that holds the reader.
 *
 * <p>Why: a read that blocks gives up its CPU, and the kernel must wake the thread again when the
 * bytes arrive. On the virtual machines this library runs on, that wake-up costs more than the
 * round trip's own work: a follower's sequential {@code get} took about 30 µs blocking on both
 * sides, and about 10 µs with both sides polling for {@value #SPIN_MICROS} µs first. But a thread
 * that polls holds a CPU that another thread may need, so it polls only while polling pays: each
 * poll that sees bytes arrive earns a credit (up to {@value #CREDIT_MAX}), each that sees none
 * costs two, so polling goes on only while more than two polls in three succeed. Out of credit, a
 * read blocks at once, and every {@value #PROBE_EVERY}th read polls again to see whether the
 * peer has become quick. So a peer that answers at once (one caller, one request at a time) is
 * polled for, and one that is slow or idle, or whose answer waits for a CPU the pollers hold,
 * costs at most a poll in {@value #PROBE_EVERY} reads. With one CPU, nothing polls.
 */
final class ReadSpin {
    /** How long a poll lasts at most. */
    static final long SPIN_MICROS = 25;
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(SPIN_MICROS);
    static final int CREDIT_MAX = 8;
    static final int PROBE_EVERY = 64;
    /** Polling for a peer that shares the only CPU only delays it. */
    private static final boolean SEVERAL_CPUS = Runtime.getRuntime().availableProcessors() > 1;

    private int credit = CREDIT_MAX;
    /** Reads that blocked at once since the last poll, while out of credit. */
    private int skipped;
    private long polls;

    /**
     * Before a read of {@code in} that would block: polls {@code in} until it has bytes or
     * {@value #SPIN_MICROS} µs have passed, if polling has paid lately.
     *
     * @return whether {@code in} has bytes now
     * @throws IOException if asking {@code in} how much it holds fails
     */
    boolean awaitReadable(InputStream in) throws IOException {
        if (!SEVERAL_CPUS) {
            return false;
        }
        if (credit <= 0 && ++skipped < PROBE_EVERY) {
            return false;
        }
        skipped = 0;
        polls++;
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (in.available() <= 0) {
            if (System.nanoTime() - deadline >= 0) {
                credit = Math.max(0, credit - 2);
                return false;
            }
            Thread.onSpinWait();
        }
        credit = Math.min(CREDIT_MAX, credit + 1);
        return true;
    }

    /** Returns how many reads polled before blocking so far. */
    long polls() {
        return polls;
    }
}
