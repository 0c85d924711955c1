package io.levelparty.etcd;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.levelparty.PartyClosedException;
import io.levelparty.PartyException;
import io.levelparty.PartyUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Runs one call of an {@link EtcdStore} against etcd within the request timeout: sends it, and
 * sends it again while etcd cannot answer (no leader, leader changed, connection lost, attempt
 * timed out), until it succeeds, fails for good, or the time is up.
 *
 * <p>Sending again is safe for every call: reads are repeatable, and each write carries one
 * {@linkplain RequestRecords request record} across its attempts. Waits are not interruptible,
 * as {@link io.levelparty.PartyMap} promises: an interrupt is kept for the caller and the call
 * goes on.
 */
final class RetryingCalls {
    /** The longest one attempt waits for its reply before it is sent again. */
    private static final long MIN_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final String endpoints;
    private final Duration timeout;
    private final String timeoutName;
    private final BooleanSupplier closed;

    /** Calls {@code endpoints} within {@code timeout}, named {@code timeoutName} in errors, until {@code closed}. */
    RetryingCalls(String endpoints, Duration timeout, String timeoutName, BooleanSupplier closed) {
        this.endpoints = endpoints;
        this.timeout = timeout;
        this.timeoutName = timeoutName;
        this.closed = closed;
    }

    /** Returns the deadline, in {@link System#nanoTime()}, of a call starting now. */
    long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    /** Runs {@code call} until it succeeds, fails for good, or {@code deadline} passes. */
    <T> T call(String what, long deadline, Supplier<CompletableFuture<T>> call) {
        long attemptNanos = Math.max(MIN_ATTEMPT_NANOS, timeout.toNanos() / 4);
        long pause = FIRST_PAUSE_NANOS;
        Throwable last = null;
        boolean interrupted = false;
        try {
            while (true) {
                checkOpen();
                long now = System.nanoTime();
                if (now - deadline >= 0) {
                    throw new PartyUnavailableException("etcd at " + endpoints + " did not complete " + what
                            + " within the " + timeoutName + " of " + timeout + "; last error: "
                            + (last == null ? "none" : describe(last)), last);
                }
                CompletableFuture<T> future = call.get();
                long attemptEnd = now + Math.min(attemptNanos, deadline - now);
                try {
                    while (true) {
                        try {
                            return future.get(Math.max(0, attemptEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                } catch (TimeoutException e) {
                    future.cancel(true);
                    if (last == null || last instanceof TimeoutException) {
                        // An error that names a cause says more than a missing reply.
                        last = new TimeoutException("no reply within " + Duration.ofNanos(attemptNanos));
                    }
                } catch (ExecutionException | CompletionException e) {
                    Throwable cause = unwrap(e);
                    checkOpen();
                    if (!retryable(cause)) {
                        throw failure(what, cause);
                    }
                    last = cause;
                    long rest = deadline - System.nanoTime();
                    LockSupport.parkNanos(Math.max(0, Math.min(pause, rest)));
                    pause = Math.min(MAX_PAUSE_NANOS, pause * 2);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkOpen() {
        if (closed.getAsBoolean()) {
            throw new PartyClosedException("The etcd map at " + endpoints + " is closed");
        }
    }

    /** Returns whether an attempt that failed with {@code error} may be sent again. */
    static boolean retryable(Throwable error) {
        Status.Code code = codeOf(error);
        return switch (code) {
            // Unavailable covers etcd's "no leader", "leader changed", "request timed out" and lost
            // connections; resource exhausted its "too many requests".
            case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, CANCELLED, ABORTED -> true;
            default -> false;
        };
    }

    /** Returns the exception a call that failed for good with {@code error} throws. */
    static RuntimeException failure(String what, Throwable error) {
        Status.Code code = codeOf(error);
        if (code == Status.Code.INVALID_ARGUMENT) {
            // etcd refused the request as a whole (too large, too many operations): nothing applied.
            return new IllegalArgumentException("etcd refused " + what + ", nothing was written: " + describe(error),
                    error);
        }
        return new PartyException("etcd failed " + what + ": " + describe(error), error);
    }

    static Status.Code codeOf(Throwable error) {
        if (error instanceof EtcdException e) {
            return Status.Code.valueOf(e.getErrorCode().name());
        }
        return Status.fromThrowable(error).getCode();
    }

    static boolean isCompaction(Throwable error) {
        if (error == null) {
            return false;
        }
        Throwable cause = unwrap(error);
        return cause instanceof CompactedException || codeOf(cause) == Status.Code.OUT_OF_RANGE;
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(error.getClass().getSimpleName()).append(": ").append(error.getMessage());
        for (Throwable cause = error.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" (").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage()).append(')');
        }
        return text.toString();
    }
}
