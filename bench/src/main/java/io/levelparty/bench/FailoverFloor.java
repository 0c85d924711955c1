package io.levelparty.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.fusesource.leveldbjni.internal.NativeDB;
import org.fusesource.leveldbjni.internal.NativeOptions;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The part of a failover no library code runs in, measured on its own next to the failover run
 * ({@link Harness#failover}): a process like the failover run's leaders, minus LevelParty
 * ({@link FloorChild}), is SIGKILLed, and this JVM times
 * <ol>
 *   <li>from the kill to the end of stream on its end of a junixsocket connection to the killed
 *       process: the kernel unmaps a dying process's memory before it closes its files, so this
 *       is when a follower can first learn that its leader is gone, and about when LevelDB's lock
 *       is released (the same close of files releases it);
 *   <li>LevelDB's open of the killed process's directory, once the process is gone, with the
 *       options a new leader opens it with: it replays the log the killed process left and writes
 *       it out as a table, with fsyncs.
 * </ol>
 * A failover takes at least the two in turn; the rest is the election, the new leader's start of
 * serving, and the survivors' reconnection and resent writes.
 */
final class FailoverFloor {
    /** How long the process writes at the failover writers' pace, once its log is filled, before it is killed. */
    private static final long WRITE_MILLIS = 100;
    /** How long the end of stream may take before the sample is given up. */
    private static final int END_TIMEOUT_MILLIS = 10_000;

    private FailoverFloor() {}

    /**
     * Per kill, in the order of the kills: nanoseconds from the kill to the end of stream, and of
     * the LevelDB open; and the killed process's resident memory and unreplayed log, in bytes,
     * just before the kill.
     */
    record Floor(long[] endOfStream, long[] recovery, long[] residentBytes, long[] logBytes) {
        /** Returns both floors of each kill added, sorted. */
        long[] sums() {
            long[] sums = new long[endOfStream.length];
            Arrays.setAll(sums, i -> endOfStream[i] + recovery[i]);
            return sorted(sums);
        }

        /** Returns a sorted copy of {@code values}. */
        static long[] sorted(long[] values) {
            long[] copy = values.clone();
            Arrays.sort(copy);
            return copy;
        }
    }

    /** Returns the options the leader opens LevelDB with ({@code LocalStore.tryOpen}). */
    static NativeOptions leaderOptions() {
        return new NativeOptions().createIfMissing(true).writeBufferSize(BenchData.WRITE_BUFFER_BYTES);
    }

    /**
     * Returns the bytes of LevelDB log in {@code db}: what an open replays if the process writing
     * it is killed now. LevelDB 1.8 writes its log through a memory map that it extends in steps
     * (64 KiB, doubling up to 1 MiB) and trims only on close, so the files' sizes overstate their
     * contents; their contents end at their last byte that is not zero (a record ends in its value,
     * which is random).
     */
    static long logBytes(Path db) throws IOException {
        long total = 0;
        try (Stream<Path> files = Files.list(db)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                byte[] log;
                try {
                    log = Files.readAllBytes(file);
                } catch (NoSuchFileException deleted) {
                    continue; // a log LevelDB has just flushed to a table and deleted
                }
                int end = log.length;
                while (end > 0 && log[end - 1] == 0) {
                    end--;
                }
                total += end;
            }
        }
        return total;
    }

    /**
     * Kills, once per failover kill, a process made like that kill's leader: with the same
     * {@code jvmArgs} (its heap), as much resident memory as the leader had ({@code residentBytes}), and as
     * much LevelDB log to replay ({@code logBytes}, at most three quarters of the write buffer,
     * as one log holds), still writing, pausing {@code pauseMicros} between writes, when it is
     * killed. Its data is under {@code base}.
     */
    static Floor measure(long[] residentBytes, long[] logBytes, List<String> jvmArgs, Path base, long pauseMicros)
            throws Exception {
        int kills = residentBytes.length;
        Path dir = BenchData.tempDir(base, "lp-floor");
        long[] endOfStream = new long[kills];
        long[] recovery = new long[kills];
        long[] resident = new long[kills];
        long[] log = new long[kills];
        try {
            Path warmUp = dir.resolve("warm-up");
            for (int i = 0; i < 3; i++) {
                timeOpen(warmUp); // the first opens in a JVM load the native code, as a new leader's rehearsal did
            }
            for (int k = 0; k < kills; k++) {
                Path db = dir.resolve("db-" + k);
                Path socket = dir.resolve("s-" + k);
                long fill = Math.min(logBytes[k], BenchData.WRITE_BUFFER_BYTES * 3L / 4);
                try (ChildJvm child = ChildJvm.start("floor-" + k, FloorChild.class, jvmArgs,
                        db.toString(), socket.toString(), Long.toString(pauseMicros), Long.toString(fill),
                        Long.toString(residentBytes[k]))) {
                    child.expect("LISTENING");
                    try (AFUNIXSocket follower = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket))) {
                        follower.setSoTimeout(END_TIMEOUT_MILLIS);
                        child.expect("READY");
                        TimeUnit.MILLISECONDS.sleep(WRITE_MILLIS);
                        resident[k] = child.residentBytes();
                        log[k] = logBytes(db);
                        long killedAt = System.nanoTime();
                        child.kill();
                        awaitEnd(follower.getInputStream(), child);
                        endOfStream[k] = System.nanoTime() - killedAt;
                    }
                    child.awaitExit();
                }
                recovery[k] = timeOpen(db);
            }
        } finally {
            BenchData.delete(dir);
        }
        return new Floor(endOfStream, recovery, resident, log);
    }

    /** Reads until the stream ends; the killed process wrote nothing to it. */
    private static void awaitEnd(InputStream in, ChildJvm killed) throws IOException {
        try {
            if (in.read() != -1) {
                throw new IllegalStateException(killed + " wrote to its connection");
            }
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("The connection to " + killed + " did not end within "
                    + END_TIMEOUT_MILLIS + " ms of its kill", e);
        } catch (IOException reset) {
            // a reset ends the connection as an end of stream does: a follower learns of the loss either way
        }
    }

    /** Returns how long LevelDB takes to open {@code db} as a new leader opens it, and closes it. */
    private static long timeOpen(Path db) throws IOException {
        long start = System.nanoTime();
        NativeDB opened = NativeDB.open(leaderOptions(), db.toFile());
        long took = System.nanoTime() - start;
        opened.delete();
        return took;
    }
}
