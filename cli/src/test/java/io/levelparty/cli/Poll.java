package io.levelparty.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.BooleanSupplier;

/** Waits for a condition that other threads bring about, with a deadline instead of a sleep. */
final class Poll {
    private Poll() {}

    static void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("Gave up waiting for " + what);
            }
            Thread.yield();
        }
    }
}
