package io.levelparty.tck.party;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The harness's end of a worker process ({@link WorkerChannel} is the worker's): a JVM started
 * with {@link ChildProcess#javaCommand}, whose report lines are handed on as they arrive, on a
 * daemon thread, and which takes commands on its standard input. Its standard error goes to
 * {@code logs/<name>.log} in the harness's directory, and its temporary files to
 * {@code jvm-tmp/}, so that what a killed JVM leaves behind stays with the test.
 */
final class WorkerProcess {
    /** How long a worker whose output ended may take to exit before it counts as gone anyway. */
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(120);

    private final String name;
    private final Process process;
    private final Writer commands;

    private WorkerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM named {@code name}, under the
     * harness's directory {@code tmp}; hands each line it reports to {@code lines}, and once its
     * output has ended, why, to {@code ended}.
     */
    static WorkerProcess start(Path tmp, String name, Class<?> mainClass, List<String> args, Consumer<String> lines,
            Consumer<String> ended) throws IOException {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Path jvmTmp = Files.createDirectories(tmp.resolve("jvm-tmp"));
        List<String> command = ChildProcess.javaCommand(List.of("-Djava.io.tmpdir=" + jvmTmp), mainClass, args);
        Process process = new ProcessBuilder(command).redirectError(logs.resolve(name + ".log").toFile()).start();
        WorkerProcess worker = new WorkerProcess(name, process);
        Thread reader = new Thread(() -> worker.read(lines, ended), "worker-reader " + name);
        reader.setDaemon(true);
        reader.start();
        return worker;
    }

    private void read(Consumer<String> lines, Consumer<String> ended) {
        String cause = "its output ended";
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.accept(line);
            }
            if (process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                cause = "exit code " + process.exitValue();
            }
        } catch (IOException e) {
            cause = "reading its output failed: " + e;
        } catch (InterruptedException e) {
            cause = "interrupted";
        }
        ended.accept(cause);
    }

    /** Sends {@code command} to the worker's standard input. */
    void send(String command) {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(name + " does not accept commands", e);
        }
    }

    /** Kills the worker at once (SIGKILL), as a crash would, if it still runs. */
    void kill() {
        // Through the handle: Process.destroyForcibly would also close our end of the worker's
        // output, and lose the reports it wrote last.
        process.toHandle().destroyForcibly();
    }

    /**
     * Waits at most {@code timeout} for the worker to exit and returns its exit code.
     *
     * @throws AssertionError if it is still running then
     */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout);
        }
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
