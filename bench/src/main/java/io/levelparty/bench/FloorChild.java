package io.levelparty.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.fusesource.leveldbjni.internal.NativeDB;
import org.fusesource.leveldbjni.internal.NativeWriteOptions;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The process {@link FailoverFloor} kills: a leader without LevelParty. It holds what a leader of
 * the failover run holds when it is killed — LevelDB open with the leader's options, a log to
 * replay, writes going on, the accepted end of a junixsocket connection, and as much resident
 * memory — and runs nothing else.
 *
 * <pre>
 * FloorChild DIR SOCKET PAUSE_MICROS LOG_BYTES RESIDENT_BYTES
 *   -> LISTENING      LevelDB is open in DIR and SOCKET bound; then it accepts one connection,
 *                     writes until its log holds LOG_BYTES, holds heap and direct buffers until it
 *                     has RESIDENT_BYTES resident (or what its heap allows),
 *   -> READY          and from then on puts 100-byte values, pausing PAUSE_MICROS between puts,
 *                     until it is killed
 * </pre>
 */
public final class FloorChild {
    /** As many keys as each failover writer overwrites. */
    private static final int KEYS = 1_000;
    /** How many puts the log is filled with between two looks at its size. */
    private static final int FILL_STEP = 256;
    /** Small enough not to be a humongous object (half a G1 region) in a heap of tens of MiB. */
    private static final int CHUNK = 1 << 18;

    private FloorChild() {}

    public static void main(String[] args) throws IOException {
        File dir = new File(args[0]);
        long pauseNanos = Long.parseLong(args[2]) * 1_000;
        long logBytes = Long.parseLong(args[3]);
        long residentBytes = Long.parseLong(args[4]);
        NativeDB db = NativeDB.open(FailoverFloor.leaderOptions(), dir);
        AFUNIXServerSocket server = AFUNIXServerSocket.newInstance();
        server.bind(AFUNIXSocketAddress.of(Path.of(args[1])));
        reply("LISTENING");
        AFUNIXSocket held = server.accept();
        NativeWriteOptions noSync = new NativeWriteOptions();
        byte[] value = BenchData.value(-1);
        long written = 0;
        while (FailoverFloor.logBytes(dir.toPath()) < logBytes) {
            for (int i = 0; i < FILL_STEP; i++) {
                db.put(noSync, key(written++), value);
            }
        }
        List<Object> ballast = hold(residentBytes);
        long from = written;
        Thread writer = new Thread(() -> {
            for (long i = from; ; i++) {
                try {
                    db.put(noSync, key(i), value);
                } catch (IOException e) {
                    throw new IllegalStateException("Cannot write to " + dir, e);
                }
                LockSupport.parkNanos(pauseNanos);
            }
        }, "writer");
        writer.setDaemon(true);
        writer.start();
        reply("READY " + ballast.size());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // it is killed before its input ends, as a rule
        }
        held.close();
        server.close();
        // LevelDB stays open and the writer keeps writing: the process ends as a killed one would.
        Runtime.getRuntime().halt(0);
    }

    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static byte[] key(long i) {
        return ("w-" + (i % KEYS)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Allocates (and so touches) memory in chunks until this process has {@code residentBytes}
     * resident: up to half the heap, then direct buffers up to seven eighths of their
     * limit, which is the heap's size unless set otherwise. Returns the chunks, to keep them.
     */
    private static List<Object> hold(long residentBytes) {
        List<Object> chunks = new ArrayList<>();
        long pid = ProcessHandle.current().pid();
        long max = Runtime.getRuntime().maxMemory();
        long heap = 0;
        long direct = 0;
        while (ChildJvm.residentBytes(pid) < residentBytes) {
            if (heap + CHUNK <= max / 2) {
                chunks.add(new byte[CHUNK]);
                heap += CHUNK;
            } else if (direct + CHUNK <= max * 7 / 8) {
                chunks.add(ByteBuffer.allocateDirect(CHUNK));
                direct += CHUNK;
            } else {
                break;
            }
        }
        return chunks;
    }
}
