package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * A leader that accepts every handshake and then reads requests without ever replying: a stand-in
 * for a stopped or stuck leader, on a real socket.
 */
final class SilentLeader implements AutoCloseable {
    final Path socket;
    private final AFUNIXServerSocket server;
    private final Thread acceptor;
    private final List<AFUNIXSocket> connections = new CopyOnWriteArrayList<>();
    private final List<Thread> readers = new CopyOnWriteArrayList<>();
    private final Semaphore requests = new Semaphore(0);

    SilentLeader(Path socket) throws IOException {
        this.socket = socket;
        server = AFUNIXServerSocket.newInstance();
        server.bind(AFUNIXSocketAddress.of(socket));
        acceptor = new Thread(this::accept, "silent-leader-acceptor");
        acceptor.start();
    }

    /** Binds a socket at {@code path} and closes it without deleting its file: a socket nobody serves. */
    static void leaveDeadSocketFile(Path path) throws IOException {
        AFUNIXServerSocket dead = AFUNIXServerSocket.newInstance();
        dead.setDeleteOnClose(false);
        dead.bind(AFUNIXSocketAddress.of(path));
        dead.close();
        assertTrue(Files.exists(path));
    }

    private void accept() {
        try {
            for (;;) {
                AFUNIXSocket connection = server.accept();
                connections.add(connection);
                Thread reader = new Thread(() -> readSilently(connection), "silent-leader-reader");
                readers.add(reader);
                reader.start();
            }
        } catch (IOException closed) {
            // close() ends the acceptor
        }
    }

    private void readSilently(AFUNIXSocket connection) {
        try {
            FrameReader input = new FrameReader(connection.getInputStream());
            FrameBody hello = input.next();
            if (hello == null) {
                return; // a probe that connects and leaves
            }
            Protocol.readHello(hello);
            FrameBuffer reply = new FrameBuffer();
            Protocol.writeHelloReply(reply, true, ProcessHandle.current().pid(), "");
            reply.writeTo(connection.getOutputStream());
            for (FrameBody frame; (frame = input.next()) != null; ) {
                Protocol.readRequest(frame, new Protocol.Request());
                requests.release();
            }
        } catch (IOException closed) {
            // dropConnections() or the follower ended it
        }
    }

    /** Waits until {@code n} requests have arrived since the last call. */
    void awaitRequests(int n) throws InterruptedException {
        assertTrue(requests.tryAcquire(n, Poll.DEADLINE.toSeconds(), TimeUnit.SECONDS), "requests arrived");
    }

    /** Closes every connection, as a leader that dies does. */
    void dropConnections() throws IOException {
        for (AFUNIXSocket connection : connections) {
            connection.close();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropConnections();
        try {
            acceptor.join();
            for (Thread reader : readers) {
                reader.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
