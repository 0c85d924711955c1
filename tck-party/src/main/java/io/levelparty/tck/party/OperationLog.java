package io.levelparty.tck.party;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * The file in which one load thread of a stale-read worker ({@link StaleReadWorker}) logs its
 * calls, one line each; times are {@link System#nanoTime()} values, and values never contain a
 * space.
 * <pre>
 * W key value start      a put of value under key is about to be sent
 * A end                  ... it returned: acknowledged
 * U end                  ... it threw: it may or may not take effect, now or later
 * R key value start end  a get of key returned value ("null": the key was absent)
 * F key start end        a get of key threw
 * </pre>
 *
 * <p>Lines are buffered, and the buffer goes out to the file, in order, before each put is sent.
 * So the file always holds a prefix of the thread's lines, and every write that may take effect
 * has its {@code W} line in the file before it can: a process killed with SIGKILL loses only the
 * tail of its log, which may end in a line cut short, a put with no outcome (which may have taken
 * effect), or neither. {@link #replay} takes a log as it is, cut or not.
 *
 * <p>Not thread-safe: one per thread.
 */
final class OperationLog implements Closeable {
    private final Writer out;

    /** Creates the log {@code file}, which must not exist yet. */
    OperationLog(Path file) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
    }

    /** Logs that a put of {@code value} under {@code key}, started at {@code start}, is about to be sent. */
    void put(String key, String value, long start) throws IOException {
        out.write("W " + key + " " + value + " " + start + "\n");
        out.flush(); // out of the process before the put is sent: a SIGKILL cannot lose a write that took effect
    }

    /** Logs the outcome of the put logged last: {@code acknowledged} if it returned, at {@code end}. */
    void putEnded(boolean acknowledged, long end) throws IOException {
        out.write((acknowledged ? "A " : "U ") + end + "\n");
    }

    /** Logs a get of {@code key} that returned {@code value} (null: absent). */
    void get(String key, String value, long start, long end) throws IOException {
        out.write("R " + key + " " + value + " " + start + " " + end + "\n");
    }

    /** Logs a get of {@code key} that threw. */
    void getFailed(String key, long start, long end) throws IOException {
        out.write("F " + key + " " + start + " " + end + "\n");
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /**
     * Reads the log {@code file} of a thread of {@code process}, handing each put to
     * {@code writes}, each get that returned to {@code reads}, and each get that threw to
     * {@code failedReads}. A last line cut short is left out; a put whose outcome is missing was
     * not acknowledged, and has no end.
     *
     * @throws IOException if the file cannot be read, or holds a line that is neither well formed
     *     nor the cut last line
     */
    static void replay(Path file, String process, Consumer<StaleReadChecker.Write> writes,
            Consumer<StaleReadChecker.Read> reads, Runnable failedReads) throws IOException {
        boolean cut = !endsWithNewline(file);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            // The put whose outcome comes next: as if its process died with it in flight, until the outcome is read.
            StaleReadChecker.Write put = null;
            String line = in.readLine();
            for (int number = 1; line != null; number++) {
                String next = in.readLine();
                if (next == null && cut) {
                    break;
                }
                String[] f = line.split(" ");
                try {
                    if (put != null) {
                        if (!f[0].equals("A") && !f[0].equals("U")) {
                            throw new IllegalArgumentException("the outcome of the put before it is missing");
                        }
                        fields(f, 2);
                        writes.accept(new StaleReadChecker.Write(process, put.key(), put.value(), put.start(),
                                Long.parseLong(f[1]), f[0].equals("A")));
                        put = null;
                    } else {
                        switch (f[0]) {
                            case "W" -> {
                                fields(f, 4);
                                put = new StaleReadChecker.Write(process, f[1], f[2], Long.parseLong(f[3]),
                                        Long.MAX_VALUE, false);
                            }
                            case "R" -> {
                                fields(f, 5);
                                reads.accept(new StaleReadChecker.Read(process, f[1], f[2].equals("null") ? null : f[2],
                                        Long.parseLong(f[3]), Long.parseLong(f[4])));
                            }
                            case "F" -> {
                                fields(f, 4);
                                failedReads.run();
                            }
                            default -> throw new IllegalArgumentException("unknown line");
                        }
                    }
                } catch (RuntimeException e) {
                    throw new IOException(file + " line " + number + " is malformed: " + line + " (" + e + ")", e);
                }
                line = next;
            }
            if (put != null) {
                writes.accept(put);
            }
        }
    }

    private static void fields(String[] fields, int count) {
        if (fields.length != count) {
            throw new IllegalArgumentException(count + " fields expected");
        }
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            if (size == 0) {
                return true;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, size - 1);
            return last.get(0) == '\n';
        }
    }
}
