package io.levelparty.etcd;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A real etcd server process on loopback, with free ports and a data directory of its own (in
 * {@code /dev/shm} when there is one, so that fsync costs little), for the tests. Members of one
 * cluster are started together by {@link #startCluster}. {@link #close()} kills the process and
 * deletes its data.
 */
final class EtcdProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    /** Servers not closed yet, killed if the JVM ends first (for example on SIGTERM), so none outlives the tests. */
    private static final Set<EtcdProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(EtcdProcess::close), "etcd-cleanup"));
    }

    final String name;
    final int clientPort;
    final int peerPort;
    /** Holds the data directory {@code data} and the log {@code etcd.log}. */
    private final Path home;
    private final Path log;
    private final List<String> command;
    private Process process;

    private EtcdProcess(String name, int clientPort, int peerPort, Path home, List<String> command) {
        this.name = name;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.home = home;
        this.log = home.resolve("etcd.log");
        this.command = command;
    }

    /** Starts a single-member cluster and returns once it serves requests. */
    static EtcdProcess start() {
        return startCluster(1).get(0);
    }

    /** Starts a cluster of {@code size} members and returns once it has a leader. */
    static List<EtcdProcess> startCluster(int size) {
        String binary = findBinary();
        int[] clientPorts = new int[size];
        int[] peerPorts = new int[size];
        for (int i = 0; i < size; i++) {
            clientPorts[i] = freePort();
            peerPorts[i] = freePort();
        }
        String token = "levelparty-" + ProcessHandle.current().pid() + "-" + clientPorts[0];
        String initialCluster = IntStream.range(0, size)
                .mapToObj(i -> token + "-" + i + "=http://127.0.0.1:" + peerPorts[i])
                .collect(Collectors.joining(","));
        List<EtcdProcess> members = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                String name = token + "-" + i;
                Path home = Files.createTempDirectory(scratch(), "levelparty-etcd");
                List<String> command = List.of(binary, "--name", name, "--data-dir", home.resolve("data").toString(),
                        "--listen-client-urls", "http://127.0.0.1:" + clientPorts[i],
                        "--advertise-client-urls", "http://127.0.0.1:" + clientPorts[i],
                        "--listen-peer-urls", "http://127.0.0.1:" + peerPorts[i],
                        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPorts[i],
                        "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
                        "--initial-cluster-token", token,
                        "--heartbeat-interval", "10", "--election-timeout", "100");
                EtcdProcess member = new EtcdProcess(name, clientPorts[i], peerPorts[i], home, command);
                members.add(member);
                member.launch();
            }
            for (EtcdProcess member : members) {
                member.awaitHealthy();
            }
            return members;
        } catch (IOException e) {
            members.forEach(EtcdProcess::close);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            members.forEach(EtcdProcess::close);
            throw e;
        }
    }

    /** Returns {@code 127.0.0.1:port} of the client endpoint. */
    String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    /** Kills the process at once (SIGKILL), keeping its data. */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts the process again on its data, after {@link #kill()}, without waiting for it to be healthy. */
    void restart() {
        launch();
    }

    /** Returns whether the process runs. */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        kill();
        deleteTree(home);
        RUNNING.remove(this);
    }

    private void launch() {
        RUNNING.add(this);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls the member's health endpoint until it reports a leader, within {@link #READY_TIMEOUT}. */
    private void awaitHealthy() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://" + endpoint() + "/health"))
                .timeout(Duration.ofSeconds(1)).build();
        String last = "no answer";
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                fail("etcd member " + name + " exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                HttpResponse<String> answer = HTTP.send(health, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 && answer.body().contains("true")) {
                    return;
                }
                last = answer.statusCode() + " " + answer.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            pollPause();
        }
        fail("etcd member " + name + " was not healthy within " + READY_TIMEOUT + " (" + last + "):\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Returns the etcd binary on PATH, or fails the test saying how to install it. */
    static String findBinary() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "etcd");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail("The etcd binary is not on PATH, and these tests run real etcd servers. Install etcd 3.4 or "
                + "later: on Debian or Ubuntu, apt-get install -y etcd-server; elsewhere, put the etcd binary of "
                + "https://github.com/etcd-io/etcd/releases on PATH.");
    }

    /** Pauses between two polls of a condition that has a deadline. */
    static void pollPause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path scratch() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
