package io.levelparty.tck.party;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.levelparty.Change;
import io.levelparty.PartyMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Calls made by interrupted threads, in the leader and in a follower at once: a {@link PartyMap}
 * call is not interruptible. A call made by a thread whose interrupt flag is set, or that is
 * interrupted while the call runs, completes as it would without the interrupt (or fails only for
 * a reason it would have failed for anyway, such as its request timeout), and returns with the
 * thread's interrupt flag still set. An interrupt never ends a term: no process changes its role,
 * no subscriber gets a {@link Change.Gap} with {@link Change.GapReason#LEADER_CHANGED}, the leader's
 * process id stays the same; and no write is lost or applied twice because of it. (Threads are
 * interrupted all the time: {@code ExecutorService.shutdownNow}, {@code Future.cancel(true)}.)
 *
 * <h2>The run</h2>
 * For each {@link Operation}, two child JVMs ({@link PartyChild}, default options: a
 * {@linkplain io.levelparty.Consistency#STRICT strict} follower cache) open one directory: the
 * leader, then a follower. Each writes its own keys ({@value #LEADER_KEYS}… in the leader,
 * {@value #FOLLOWER_KEYS}… in the follower) and keeps a model of them. A thread of the follower
 * reads the leader's point keys round and round, so that the follower caches them and most of the
 * leader's writes to them must wait for the follower to acknowledge that it dropped them. Once
 * the follower's cache holds them, both processes make {@link #calls()} interrupted calls of the
 * operation at the same time ({@link InterruptedCalls}): with the flag set before the call, with
 * interrupts delivered from another thread again and again while the call runs, or both. Each
 * call's result must be the model's, and its thread's interrupt flag set after it.
 *
 * <h2>The verdict</h2>
 * Each process then checks, uninterrupted, that its keys hold what its model says, and that its
 * counters (which {@code merge}, {@code compute} and {@code replace} increment) count exactly the
 * increments acknowledged. The harness checks that both processes see the same entries under
 * both prefixes, equal to the writer's model; that each still has its role, announced no role
 * change and had no gap delivered to a subscription over the whole map (a final write, once
 * delivered, shows every earlier gap was); and that both still name the first leader's process
 * id. Every failure found is listed, one a line.
 *
 * <p>Both processes open the directory's {@code file:} URI. The contract is about LevelParty's
 * own party and runs on nothing else: it checks that an interrupt ends no term of the leader
 * process, and no follower's cache, which a store without a leader among its processes does not
 * have.
 *
 * <p>Subclass it in a test source set whose class path holds the implementation; children get the
 * same class path and the JVM flags in {@value ChildProcess#JVM_FLAGS_PROPERTY}. With the system
 * property {@value #LONG_PROPERTY} set to {@code true}, each process makes {@value #LONG_CALLS}
 * calls per operation instead of {@value #CALLS}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class InterruptContract {
    /** The system property that, set to {@code true}, makes each process make {@value #LONG_CALLS} calls per operation. */
    public static final String LONG_PROPERTY = "levelparty.interrupt.long";
    /** How many interrupted calls each process makes per operation by default. */
    public static final int CALLS = 300;
    /** How many interrupted calls each process makes per operation with {@value #LONG_PROPERTY}. */
    public static final int LONG_CALLS = 5_000;
    static final String LEADER_KEYS = "L/";
    static final String FOLLOWER_KEYS = "F/";
    /**
     * The longest the harness waits for one step: a cache to fill, a reply; longer than the
     * children's own waits (a sync, deliveries), so that they answer first.
     */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);

    /** The kinds of calls made interrupted. */
    public enum Operation {
        /** {@code get} of present and absent keys; in the follower, mostly answered by its cache. */
        GET,
        /** {@code put}, returning the previous value. */
        PUT,
        /** {@code remove} of present and absent keys, and puts bringing them back. */
        REMOVE,
        /**
         * The compare-and-set loops: {@code merge}, {@code compute} (whose function interrupts its
         * own thread) and {@code replace} incrementing counters; {@code putIfAbsent},
         * {@code remove(key, value)} and {@code replace} of a wrong value.
         */
        CAS,
        /**
         * Iteration of {@code subMap(…).entrySet()}, its descending map, and the whole map's
         * {@code entrySet()}: every {@code iterator()}, {@code hasNext()} and {@code next()} is an
         * interrupted call; each iteration must return exactly the model's entries, in order.
         * {@code calls() / 25} iterations of a few hundred calls each, with a put and a remove
         * between two.
         */
        ITERATE,
        /**
         * {@code subscribe} on an interrupted thread, then puts: the listener interrupts its own
         * thread, calls {@code get} and returns with the flag set; every put must be delivered,
         * once and in order.
         */
        SUBSCRIBE
    }

    @TempDir
    Path tmp;
    private final List<ChildProcess> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(ChildProcess::close);
    }

    /** Returns how many interrupted calls each process makes per operation. */
    protected int calls() {
        return Boolean.getBoolean(LONG_PROPERTY) ? LONG_CALLS : CALLS;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Operation.class)
    void interruptedCallsCompleteAndKeepTheTerm(Operation operation) throws Exception {
        ChildProcess leader = start("leader", "LEADER");
        ChildProcess follower = start("follower", "FOLLOWER");
        leader.expect("setup " + LEADER_KEYS, "OK");
        follower.expect("setup " + FOLLOWER_KEYS, "OK");
        follower.expect("readloop " + LEADER_KEYS, "OK");
        awaitCached(follower, InterruptedCalls.pointKeys(LEADER_KEYS).size());

        List<String> failures = new ArrayList<>();
        Duration runTimeout = STEP_TIMEOUT.plusMillis(100L * calls());
        String command = "interrupted " + operation + " ";
        FutureTask<String> followerRun = new FutureTask<>(
                () -> ask(follower, command + FOLLOWER_KEYS + " " + calls(), runTimeout));
        Thread asker = new Thread(followerRun, "ask follower");
        asker.setDaemon(true);
        asker.start();
        String leaderRun = ask(leader, command + LEADER_KEYS + " " + calls(), runTimeout);
        System.out.println(leader + ": " + leaderRun);
        check(failures, leader, leaderRun, "OK");
        String followerRan = answer(followerRun, runTimeout);
        System.out.println(follower + ": " + followerRan);
        check(failures, follower, followerRan, "OK");

        for (ChildProcess child : children) {
            check(failures, child, ask(child, "sync " + child.name(), STEP_TIMEOUT), "OK");
            check(failures, child, ask(child, "leaderpid", STEP_TIMEOUT), "LEADERPID " + leader.pid());
        }
        check(failures, leader, ask(leader, "role", STEP_TIMEOUT), "ROLE LEADER");
        check(failures, follower, ask(follower, "role", STEP_TIMEOUT), "ROLE FOLLOWER");
        for (ChildProcess child : children) {
            for (String line; (line = child.nextAnnouncement(Duration.ZERO)) != null; ) {
                failures.add(child + " changed its role: " + line);
            }
            for (String line; (line = child.nextChange(Duration.ZERO)) != null; ) {
                failures.add(child + " delivered a gap: " + line);
            }
        }
        checkDigests(failures, LEADER_KEYS, leader);
        checkDigests(failures, FOLLOWER_KEYS, follower);
        if (!failures.isEmpty()) {
            fail(operation + ": " + failures.size() + " failures\n" + String.join("\n", failures));
        }
    }

    /** Checks that both processes hold under {@code prefix} what the model of its {@code writer} says. */
    private void checkDigests(List<String> failures, String prefix, ChildProcess writer) {
        String model = ask(writer, "model " + prefix, STEP_TIMEOUT);
        for (ChildProcess child : children) {
            check(failures, child, ask(child, "digest " + prefix, STEP_TIMEOUT), model + " (" + writer.name() + "'s model of "
                    + prefix + ")");
        }
    }

    /** Adds a failure unless {@code reply} starts with {@code expected} (whose part in parentheses is left out). */
    private static void check(List<String> failures, ChildProcess child, String reply, String expected) {
        String wanted = expected.replaceFirst(" \\(.*\\)$", "");
        if (!reply.startsWith(wanted)) {
            failures.add(child + " answered \"" + reply + "\", expected " + expected);
        }
    }

    /** Returns {@code child}'s reply to {@code command}, or "NO ANSWER" and why. */
    private static String ask(ChildProcess child, String command, Duration timeout) {
        try {
            return child.ask(command, timeout);
        } catch (AssertionError | RuntimeException e) {
            return "NO ANSWER to " + command + ": " + e.getMessage();
        }
    }

    private static String answer(FutureTask<String> task, Duration timeout) throws InterruptedException {
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return "NO ANSWER: " + e.getCause();
        } catch (TimeoutException e) {
            return "NO ANSWER within " + timeout;
        }
    }

    /** Waits until {@code follower}'s cache holds at least {@code entries} entries. */
    private static void awaitCached(ChildProcess follower, int entries) {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        String stats;
        while (Long.parseLong((stats = follower.expect("stats", "STATS ")).split(" ")[5]) < entries) {
            if (System.nanoTime() - deadline > 0) {
                fail(follower + "'s cache holds fewer than " + entries + " entries within " + STEP_TIMEOUT + ": " + stats);
            }
        }
    }

    /** Starts a child on the directory, which must get {@code role}, and has it watch for gaps. */
    private ChildProcess start(String name, String role) {
        ChildProcess child = ChildProcess.start(name, tmp.resolve("db").toUri());
        children.add(child);
        assertEquals(role, child.awaitReady(), child + "'s role");
        child.expect("watchgaps", "OK");
        return child;
    }
}
