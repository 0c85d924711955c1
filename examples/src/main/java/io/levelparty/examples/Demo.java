package io.levelparty.examples;

import io.levelparty.PartyClosedException;
import io.levelparty.PartyMap;
import io.levelparty.PartyUnavailableException;
import java.util.concurrent.TimeUnit;

/** What the demo programs share: their run time, their loop, and how they report their role. */
final class Demo {
    private Demo() {}

    /**
     * Runs {@code step} every {@code periodMillis} until the deadline or until the process is asked
     * to stop (Ctrl-C, SIGTERM), which closes the map so that another process takes over at once.
     */
    static void repeat(PartyMap<?> db, long deadline, long periodMillis, Runnable step) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(db::close));
        try {
            while (System.nanoTime() < deadline) {
                try {
                    step.run();
                } catch (PartyUnavailableException e) {
                    System.out.println("unavailable for now: " + e.getMessage());
                }
                Thread.sleep(periodMillis);
            }
        } catch (PartyClosedException stopping) {
            // the shutdown hook closed the map: leave quietly
        }
    }

    /** Returns the {@link System#nanoTime()} at which to stop: {@code args[index]} seconds from now, or never. */
    static long deadline(String[] args, int index) {
        if (args.length <= index) {
            return Long.MAX_VALUE;
        }
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[index]));
    }

    /** Prints the process's role now and whenever it changes. */
    static void announce(String name, PartyMap<?> db) {
        long pid = ProcessHandle.current().pid();
        System.out.println(name + " (pid " + pid + ") is " + db.role());
        db.onRoleChange(role -> System.out.println(name + " (pid " + pid + ") is now " + role));
    }
}
