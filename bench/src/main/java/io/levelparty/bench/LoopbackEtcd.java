package io.levelparty.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A single-member etcd server for one benchmark run, tuned for loopback: its data in memory
 * ({@code /dev/shm} when there is one, so that fsync costs next to nothing, as on a server with a
 * battery-backed disk cache), a 10 ms heartbeat, and no snapshot during a run. The etcd binary is
 * the one on {@code PATH}.
 */
final class LoopbackEtcd implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path home;
    private final int clientPort;

    private LoopbackEtcd(Process process, Path home, int clientPort) {
        this.process = process;
        this.home = home;
        this.clientPort = clientPort;
    }

    /** Starts the server and returns once it answers a read. */
    static LoopbackEtcd start() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path home = BenchData.tempDir(Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of("/tmp"),
                "lp-etcd");
        int clientPort = freePort();
        int peerPort = freePort();
        List<String> command = List.of("etcd", "--name", "bench", "--data-dir", home.resolve("data").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + clientPort,
                "--advertise-client-urls", "http://127.0.0.1:" + clientPort,
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-cluster", "bench=http://127.0.0.1:" + peerPort,
                "--heartbeat-interval", "10", "--election-timeout", "100",
                "--snapshot-count", "10000000");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve("etcd.log").toFile()).start();
        LoopbackEtcd etcd = new LoopbackEtcd(process, home, clientPort);
        try {
            etcd.awaitHealthy();
            return etcd;
        } catch (RuntimeException e) {
            etcd.close();
            throw e;
        }
    }

    /** Returns {@code 127.0.0.1:port}, the client endpoint. */
    String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    /** Returns the first line of {@code etcd --version}. */
    static String version() {
        try {
            Process p = new ProcessBuilder("etcd", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("unknown").trim();
        } catch (IOException e) {
            return "unknown (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }

    /** Reads from the server until it answers, as a client would, within {@link #READY_TIMEOUT}. */
    private void awaitHealthy() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Client client = Client.builder().endpoints("http://" + endpoint()).build()) {
            while (System.nanoTime() - deadline < 0 && process.isAlive()) {
                try {
                    client.getKVClient().get(ByteSequence.from(new byte[] {0})).get(1, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("etcd did not answer within " + READY_TIMEOUT + " (" + last + "; "
                + (process.isAlive() ? "running" : "exited") + "): see " + home.resolve("etcd.log"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        process.onExit().completeOnTimeout(process, 10, TimeUnit.SECONDS).join();
        try {
            BenchData.delete(home);
        } catch (UncheckedIOException e) {
            System.err.println("could not delete " + home + ": " + e);
        }
    }
}
