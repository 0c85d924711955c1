package io.levelparty.tck.party;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * What a harness knows of its worker processes, gathered from the lines they report
 * ({@link WorkerChannel}) as the lines arrive: which are ready, which leads, which were killed,
 * closed their map or ended, and what went wrong. A subclass reads the lines of its own kind of
 * worker ({@link #parse}) and keeps what they say.
 *
 * <p>Thread-safe: each worker's lines are read on a thread of their own, and all of them, and the
 * harness, go through this object's monitor, which also signals every change to
 * {@link #await waiters}. Subclasses keep their state under the same monitor.
 *
 * @param <W> what the ledger knows of one worker
 */
abstract class WorkerLedger<W extends WorkerLedger.Worker> {
    /** What the ledger knows of one worker process; guarded by the ledger's monitor. */
    static class Worker {
        final String name;
        /** The worker's number, in the order of registration, from 0. */
        final int index;
        boolean ready;
        boolean killed;
        boolean closed;
        boolean ended;

        Worker(String name, int index) {
            this.name = name;
            this.index = index;
        }

        @Override
        public String toString() {
            return name + (killed ? " (killed)" : "") + (ready ? "" : " (not ready)");
        }
    }

    /** Every worker registered, killed ones included. */
    protected final List<W> workers = new ArrayList<>();
    /** The failures workers reported, and the workers that ended unexpectedly. */
    protected final List<String> errors = new ArrayList<>();
    private W leader;
    private long leaderSince;

    /** Registers and returns the worker {@code newWorker} makes of the next index. */
    protected final synchronized W register(IntFunction<W> newWorker) {
        W w = newWorker.apply(workers.size());
        workers.add(w);
        return w;
    }

    /** Records one line of {@code w}'s output. */
    final synchronized void accept(W w, String line) {
        try {
            String kind = line.split(" ", 2)[0];
            switch (kind) {
                case "READY" -> w.ready = true;
                case "LEADER" -> {
                    leaderSince = Long.parseLong(line.split(" ")[2]);
                    leader = w;
                }
                case "CLOSED" -> w.closed = true;
                case "ERROR" -> errors.add(w.name + ": " + line.substring("ERROR ".length()));
                default -> parse(w, line);
            }
        } catch (RuntimeException e) {
            errors.add(w.name + " reported a line the harness cannot read: " + line + " (" + e + ")");
        }
        notifyAll();
    }

    /**
     * Records a line of {@code w}'s own kind, called under the monitor.
     *
     * @throws RuntimeException if the ledger cannot read the line
     */
    protected abstract void parse(W w, String line);

    /** Records that {@code w}'s output ended: it exited, was killed, or closed its output. */
    final synchronized void ended(W w, String cause) {
        w.ended = true;
        if (!w.killed && !w.closed) {
            errors.add(w.name + " ended unexpectedly: " + cause);
        }
        notifyAll();
    }

    /** Records that {@code victim} was killed. */
    synchronized void killed(W victim) {
        victim.killed = true;
        notifyAll();
    }

    /** Returns the process that announced last that it leads, or null. */
    final synchronized W leader() {
        return leader;
    }

    /** Returns whether a process that was not killed announced it leads since {@code nanos}. */
    final synchronized boolean hasLeaderSince(long nanos) {
        return leader != null && !leader.killed && leaderSince - nanos > 0;
    }

    /** Returns whether the output of every worker has ended. */
    final synchronized boolean allEnded() {
        return workers.stream().allMatch(w -> w.ended);
    }

    /** Returns the workers that were not killed. */
    final synchronized List<W> live() {
        return workers.stream().filter(w -> !w.killed).toList();
    }

    /**
     * Tells every live worker to stop, and waits at most {@code timeout} for each step: every one
     * to close its map and exit, every output to be read, and every exit code to be 0.
     *
     * @param processes the process of each worker
     * @throws AssertionError if a worker fails, or a step takes too long
     */
    final void stopAll(Function<W, WorkerProcess> processes, Duration timeout) throws InterruptedException {
        List<W> live = live();
        for (W w : live) {
            processes.apply(w).send("stop");
        }
        await(timeout, "every worker to stop, close its map and exit, and every output to be read",
                () -> live.stream().allMatch(w -> w.closed) && allEnded());
        for (W w : live) {
            int exitCode = processes.apply(w).awaitExit(timeout);
            if (exitCode != 0) {
                throw new AssertionError(w.name + " exited with code " + exitCode);
            }
        }
    }

    /** Returns the failures workers reported, and the workers that ended unexpectedly. */
    final synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    /**
     * Waits until {@code condition} holds, for at most {@code timeout}; fails at once, and with
     * what is known, if a worker reported an error or ended unexpectedly. The condition is tested
     * under the monitor.
     */
    final synchronized void await(Duration timeout, String what, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!errors.isEmpty()) {
                throw new AssertionError("Waiting for " + what + ", a worker failed: " + errors + "\n" + state());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("Gave up waiting " + timeout.toSeconds() + " s for " + what + "\n" + state());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Returns what the ledger knows, for a failure message; called under the monitor. */
    protected String state() {
        return "workers: " + workers + "; leader: " + (leader == null ? "none" : leader.name);
    }
}
