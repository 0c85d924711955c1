package io.levelparty.tck.party;

import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.Role;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker process's end of its link with the harness ({@link WorkerProcess} is the other end):
 * report lines go out on standard output, written straight to the file descriptor, so that a line
 * is out of the process before the call it announces starts and a SIGKILL cannot lose it; the
 * harness's commands come in on standard input. A worker whose harness is gone halts.
 *
 * <p>Lines every worker reports, besides its own ({@link WorkerLedger} reads them):
 * <pre>
 * READY pid role              the map is open; the load threads run
 * LEADER pid nanos            this process leads (at start, or since a re-election)
 * CLOSED                      the map is closed; the process exits
 * ERROR thread what exception a failure the harness must hear of
 * </pre>
 */
final class WorkerChannel {
    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private WorkerChannel() {}

    /**
     * Opens the map {@code uri} names with {@code options} and reports LEADER now if this process
     * leads, and whenever it wins an election later; reports ERROR and halts if the map cannot be
     * opened.
     */
    static PartyMap<String> openAnnouncingLeadership(URI uri, PartyOptions<String> options) {
        PartyMap<String> map;
        try {
            map = LevelParty.open(uri, options);
        } catch (RuntimeException e) {
            report("ERROR main open " + oneLine(e));
            Runtime.getRuntime().halt(1);
            throw e;
        }
        long pid = ProcessHandle.current().pid();
        map.onRoleChange(role -> {
            if (role == Role.LEADER) {
                report("LEADER " + pid + " " + System.nanoTime());
            }
        });
        if (map.role() == Role.LEADER) {
            report("LEADER " + pid + " " + System.nanoTime());
        }
        return map;
    }

    /**
     * Runs a worker's load until the harness says stop: starts {@code threads}, and {@code periodic}
     * every 100 ms on a daemon thread, reports READY, waits for "stop" ({@link #awaitStop}), calls
     * {@code stop}, which must make the threads end, and returns once they have ended
     * ({@link #awaitEnd}) and {@code periodic} no longer runs.
     */
    static void runUntilStopped(PartyMap<String> map, List<Thread> threads, Runnable periodic, Runnable stop,
            Duration stopTimeout) throws IOException, InterruptedException {
        ScheduledExecutorService every100Millis = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "periodic");
            thread.setDaemon(true);
            return thread;
        });
        every100Millis.scheduleAtFixedRate(periodic, 100, 100, TimeUnit.MILLISECONDS);
        threads.forEach(Thread::start);
        report("READY " + ProcessHandle.current().pid() + " " + map.role());
        awaitStop();
        stop.run();
        awaitEnd(threads, stopTimeout);
        every100Millis.shutdownNow();
        every100Millis.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Returns once the harness sends "stop" on standard input; halts if the input ends first. */
    static void awaitStop() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command;
        do {
            command = in.readLine();
        } while (command != null && !command.equals("stop"));
        if (command == null) {
            Runtime.getRuntime().halt(3); // the harness is gone
        }
    }

    /**
     * Waits for {@code threads} to end, told to stop; reports ERROR and halts if one has not ended
     * within {@code timeout}.
     */
    static void awaitEnd(List<Thread> threads, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (thread.isAlive()) {
                report("ERROR " + thread.getName() + " stop did not end within " + timeout.toMillis() + " ms");
                Runtime.getRuntime().halt(2);
            }
        }
    }

    /** Returns {@code e} described on one line. */
    static String oneLine(Throwable e) {
        return String.valueOf(e).replace('\n', ' ');
    }

    /** Writes {@code line} to standard output at once; halts if the harness no longer reads it. */
    static synchronized void report(String line) {
        try {
            OUT.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            Runtime.getRuntime().halt(3);
        }
    }
}
