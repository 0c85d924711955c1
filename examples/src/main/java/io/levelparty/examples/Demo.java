package io.levelparty.examples;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyClosedException;
import io.levelparty.PartyMap;
import io.levelparty.PartyUnavailableException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** What the demo programs share: their run time, their loop, and how they report their role. */
final class Demo {
    private Demo() {}

    /**
     * Runs a demo program: opens the directory {@code args[0]} (default {@code data}) with JSON
     * integer values, announces the role as {@code name}, then runs the step {@code stepFor} returns
     * every {@code periodMillis}, for {@code args[1]} seconds or until stopped.
     */
    static void run(String name, String[] args, long periodMillis, Function<PartyMap<Integer>, Runnable> stepFor)
            throws InterruptedException {
        Path dir = Path.of(args.length > 0 ? args[0] : "data");
        long deadline = deadline(args, 1);
        try (PartyMap<Integer> db = LevelParty.open(dir, Codecs.json(Integer.class))) {
            announce(name, db);
            repeat(db, deadline, periodMillis, stepFor.apply(db));
        }
    }

    /**
     * Runs {@code step} every {@code periodMillis} until the deadline or until the process is asked
     * to stop (Ctrl-C, SIGTERM), which closes the map so that another process takes over at once.
     */
    private static void repeat(PartyMap<?> db, long deadline, long periodMillis, Runnable step) throws InterruptedException {
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
    private static long deadline(String[] args, int index) {
        if (args.length <= index) {
            return Long.MAX_VALUE;
        }
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[index]));
    }

    /** Prints the process's role now and whenever it changes. */
    private static void announce(String name, PartyMap<?> db) {
        long pid = ProcessHandle.current().pid();
        System.out.println(name + " (pid " + pid + ") is " + db.role());
        db.onRoleChange(role -> System.out.println(name + " (pid " + pid + ") is now " + role));
    }
}
