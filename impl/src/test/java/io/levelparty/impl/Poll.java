package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that other threads bring about, with a deadline instead of a sleep. */
final class Poll {
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private Poll() {}

    static void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("Gave up waiting for " + what);
            }
            Thread.yield();
        }
    }
}
