package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** A client driven by hand over a real socket, to send a leader what a RemoteStore never would. */
final class RawPeer implements AutoCloseable {
    private final AFUNIXSocket socket;
    private final FrameReader input;

    RawPeer(Path socketPath) throws IOException {
        socket = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socketPath));
        socket.setSoTimeout((int) Poll.DEADLINE.toMillis());
        input = new FrameReader(socket.getInputStream());
    }

    /**
     * Sends {@code bytes}. A bad peer's later bytes may meet a connection the leader has already
     * closed because of its earlier ones: that is the outcome under test, so a broken pipe here is
     * not an error, and {@link #assertClosedByLeader()} checks the close.
     */
    void send(byte[] bytes) throws IOException {
        try {
            socket.getOutputStream().write(bytes);
        } catch (SocketException closedByLeader) {
            // see above
        }
    }

    /** Sends a HELLO of the current version and checks that the leader accepts it. */
    void handshake() throws IOException {
        handshake(java.util.UUID.randomUUID());
    }

    /** Sends a HELLO of the current version from {@code client} and checks that the leader accepts it. */
    void handshake(java.util.UUID client) throws IOException {
        FrameBuffer hello = new FrameBuffer();
        Protocol.writeHello(hello, client, ProcessHandle.current().pid(), false);
        hello.writeTo(socket.getOutputStream());
        assertTrue(readHelloReply().accepted());
    }

    Protocol.HelloReply readHelloReply() throws IOException {
        FrameBody frame = input.next();
        assertNotNull(frame, "a reply to HELLO");
        return Protocol.readHelloReply(frame);
    }

    Protocol.Reply readReply() throws IOException {
        FrameBody frame = input.next();
        assertNotNull(frame, "a reply");
        Protocol.Reply reply = new Protocol.Reply();
        assertTrue(Protocol.readReply(frame, reply));
        return reply;
    }

    /** Sends the frames {@code writer} encodes with {@link Protocol}. */
    void send(Consumer<FrameBuffer> writer) throws IOException {
        FrameBuffer frames = new FrameBuffer();
        writer.accept(frames);
        frames.writeTo(socket.getOutputStream());
    }

    /** Reads the next frame, a reply or a push, into a new Reply. */
    Protocol.Reply readAny() throws IOException {
        FrameBody frame = input.next();
        assertNotNull(frame, "a frame");
        Protocol.Reply reply = new Protocol.Reply();
        Protocol.readReply(frame, reply);
        return reply;
    }

    /** Returns whether the leader has closed the connection, without waiting; what it sent before is dropped. */
    boolean isClosedByLeader() throws IOException {
        try {
            while (socket.getInputStream().available() > 0) {
                socket.getInputStream().read();
            }
            socket.setSoTimeout(1);
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (IOException reset) {
            return true;
        } finally {
            socket.setSoTimeout((int) Poll.DEADLINE.toMillis());
        }
    }

    /** Checks that the leader closes the connection: end of stream, or a reset (it had unread bytes of ours). */
    void assertClosedByLeader() {
        byte[] buffer = new byte[1024];
        try {
            while (socket.getInputStream().read(buffer) >= 0) {
                // drain whatever the leader sent before closing
            }
        } catch (SocketTimeoutException e) {
            fail("the leader did not close the connection within " + Poll.DEADLINE);
        } catch (IOException reset) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
