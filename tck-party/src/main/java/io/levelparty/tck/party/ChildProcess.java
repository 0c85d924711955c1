package io.levelparty.tck.party;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM running {@link PartyChild} on a map, started with the class path of this
 * JVM and the flags in the system property {@code levelparty.child.jvm.flags} (space-separated;
 * an implementation that needs JVM flags names them there; LevelParty needs none).
 *
 * <p>Replies are read on a daemon thread into a queue, so every wait has a deadline and a hung
 * child fails the scenario instead of hanging it.
 */
public final class ChildProcess implements AutoCloseable {
    /** The system property naming extra JVM flags for children. */
    public static final String JVM_FLAGS_PROPERTY = "levelparty.child.jvm.flags";
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    /** Lines announcing role changes, kept apart from replies. */
    private final BlockingQueue<String> announcements = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> changes = new LinkedBlockingQueue<>();

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readReplies, "child-reader " + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a child that opens {@code uri} with {@code LevelParty.open(URI, …)}; it has not
     * necessarily opened the map yet (see {@link #awaitReady()}).
     */
    public static ChildProcess start(String name, URI uri) {
        List<String> command = javaCommand(List.of(), PartyChild.class, List.of(uri.toString()));
        try {
            return new ChildProcess(name, new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start child " + name, e);
        }
    }

    /**
     * Returns the command that runs {@code mainClass} with {@code args} in a new JVM with this JVM's
     * class path, the flags in {@value #JVM_FLAGS_PROPERTY}, then {@code jvmOptions}.
     */
    static List<String> javaCommand(List<String> jvmOptions, Class<?> mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String flags = System.getProperty(JVM_FLAGS_PROPERTY, "").trim();
        if (!flags.isEmpty()) {
            command.addAll(Arrays.asList(flags.split("\\s+")));
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(args);
        return command;
    }

    /**
     * Sends {@code signal} ({@code "STOP"}, {@code "CONT"} …) to the process {@code pid} with the
     * {@code kill} command, which needs a POSIX system.
     *
     * @throws AssertionError if the command fails or does not finish within the reply timeout
     */
    static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (!kill.waitFor(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            kill.destroyForcibly();
            throw new AssertionError("kill -" + signal + " " + pid + " did not finish within " + REPLY_TIMEOUT);
        }
        if (kill.exitValue() != 0) {
            throw new AssertionError("kill -" + signal + " " + pid + " failed with exit code " + kill.exitValue());
        }
    }

    private void readReplies() {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                (line.startsWith("NOW ") ? announcements : line.startsWith("CHANGE ") ? changes : replies).add(line);
            }
        } catch (IOException e) {
            replies.add("ERROR output lost: " + e);
        }
    }

    /** Waits until the child has opened the map and returns its role, "LEADER" or "FOLLOWER". */
    public String awaitReady() {
        String line = nextReply(REPLY_TIMEOUT);
        if (!line.startsWith("READY ")) {
            throw new AssertionError(name + " did not start: " + line);
        }
        return line.split(" ")[1];
    }

    /** Sends {@code command} and returns the reply line. */
    public String ask(String command) {
        return ask(command, REPLY_TIMEOUT);
    }

    /** Sends {@code command} and returns the reply line, waiting for it at most {@code timeout}. */
    public String ask(String command, Duration timeout) {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(name + " does not accept commands", e);
        }
        return nextReply(timeout);
    }

    /** Sends {@code command} and fails unless the reply starts with {@code expected}. */
    public String expect(String command, String expected) {
        String reply = ask(command);
        if (!reply.startsWith(expected)) {
            throw new AssertionError(name + " answered \"" + reply + "\" to \"" + command + "\"");
        }
        return reply;
    }

    /** Returns the next role announcement ("NOW LEADER" …), waiting at most {@code timeout}. */
    public String nextAnnouncement(Duration timeout) throws InterruptedException {
        return announcements.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Returns the next change announcement ("CHANGE PUT k v 7" …), waiting at most {@code timeout}. */
    public String nextChange(Duration timeout) throws InterruptedException {
        return changes.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private String nextReply(Duration timeout) {
        try {
            String line = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError(name + " gave no reply within " + timeout);
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public void kill() {
        process.destroyForcibly();
    }

    /** Waits for the process to end and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
