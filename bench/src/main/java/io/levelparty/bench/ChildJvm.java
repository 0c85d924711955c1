package io.levelparty.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM running one of this module's programs, with this JVM's class path, or a Node
 * process running one of {@code bench/node}'s scripts. It is driven by lines: commands on its
 * standard input, one reply line each on its standard output, read on a daemon thread so that
 * every wait has a deadline.
 */
final class ChildJvm implements AutoCloseable {
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(120);

    private final String name;
    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

    private ChildJvm(String name, Process process) {
        this.name = name;
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readReplies, "child-reader " + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with {@code jvmArgs} and program {@code args}. */
    static ChildJvm start(String name, Class<?> main, List<String> jvmArgs, String... args) {
        return start(name, main.getName(), jvmArgs, args);
    }

    /** Starts the class named {@code main}, found on this JVM's class path, with {@code jvmArgs} and program {@code args}. */
    static ChildJvm start(String name, String main, List<String> jvmArgs, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        return start(name, command);
    }

    /** Starts Node's {@code script} with {@code nodeArgs} and program {@code args}. */
    static ChildJvm startNode(String name, Path script, List<String> nodeArgs, String... args) {
        List<String> command = new ArrayList<>();
        command.add("node");
        command.addAll(nodeArgs);
        command.add(script.toString());
        command.addAll(List.of(args));
        return start(name, command);
    }

    private static ChildJvm start(String name, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new ChildJvm(name, process);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name, e);
        }
    }

    private void readReplies() {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                replies.add(line);
            }
            replies.add("EXITED: its output ended");
        } catch (IOException e) {
            replies.add("EXITED: its output was lost: " + e);
        }
    }

    /** Sends a command line without waiting for its reply. */
    void send(String command) {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(name + " does not accept commands", e);
        }
    }

    /** Returns the next reply line, failing unless it starts with {@code prefix}. */
    String expect(String prefix) {
        String line;
        try {
            line = replies.poll(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + name, e);
        }
        if (line == null) {
            throw new IllegalStateException(name + " gave no reply within " + REPLY_TIMEOUT);
        }
        if (!line.startsWith(prefix)) {
            throw new IllegalStateException(name + " answered \"" + line + "\", expected \"" + prefix + "…\"");
        }
        return line.substring(prefix.length()).trim();
    }

    /** Sends {@code command} and returns the rest of its reply after {@code prefix}. */
    String ask(String command, String prefix) {
        send(command);
        return expect(prefix);
    }

    long pid() {
        return process.pid();
    }

    /** Kills the process with SIGKILL, as a crash would. */
    void kill() {
        process.destroyForcibly();
    }

    /**
     * Waits until the process runs no more code: its main thread is a zombie (the kernel may still
     * be tearing the rest down, and releases its sockets and file locks at the end of that). Polls
     * /proc, because the JDK reaps its children on a thread of its own, which may notice many
     * milliseconds later.
     */
    void awaitStop() throws InterruptedException {
        Path stat = Path.of("/proc", String.valueOf(process.pid()), "stat");
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < giveUp) {
            String state;
            try {
                String line = Files.readString(stat);
                state = line.substring(line.lastIndexOf(')') + 2, line.lastIndexOf(')') + 3);
            } catch (IOException gone) {
                return;
            }
            if (state.equals("Z") || state.equals("X")) {
                return;
            }
            LockSupport.parkNanos(100_000);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        throw new IllegalStateException(name + " did not die within 30 s");
    }

    /**
     * Waits until the process is gone altogether and reaped: every thread has exited, so the
     * kernel has closed its files and released its locks.
     */
    void awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not exit within 30 s");
        }
    }

    /** Returns the process's resident memory, in bytes, or -1 if it is gone. */
    long residentBytes() {
        return residentBytes(process.pid());
    }

    /** Returns the resident memory of process {@code pid}, in bytes, or -1 if it is gone. */
    static long residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException gone) {
            // the process has exited
        }
        return -1;
    }

    /** Closes its standard input, which tells it to close its map and exit, and waits for that. */
    void stop() {
        try {
            commands.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
