package io.levelparty.impl;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.net.SocketTimeoutException;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Reads {@linkplain Protocol frames} from a socket's input stream. A read asks for
 * {@value #READ_CHUNK} bytes, or for the rest of the frame being read if that is more, so one read
 * may bring many frames, and {@link #hasBufferedFrame()} tells whether the next frame can be had
 * without blocking. (A read's cost grows with the length asked for: junixsocket's read of 64 KiB
 * takes about 2 µs longer than one of 4 KiB, whatever arrives, which is a tenth of a round trip.)
 * A frame's header is checked as soon as it arrives, before its body is awaited or room is made
 * for it.
 *
 * <p>Used by one thread at a time; it may be handed from one thread to another (the handshake runs
 * on the connecting thread, the rest on the connection's reader).
 */
final class FrameReader {
    private static final int INITIAL_CAPACITY = 64 << 10;
    /** The least a read asks for. */
    private static final int READ_CHUNK = 4 << 10;
    /** A buffer grown past this for a large frame is dropped once it is empty. */
    private static final int RETAINED_CAPACITY = 1 << 20;
    private static final VarHandle INT_LITTLE_ENDIAN =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final InputStream in;
    private byte[] buffer;
    /** The body of the frame last returned, a window on {@link #buffer}. */
    private final FrameBody body = new FrameBody();
    /** The first byte not yet returned in a frame. */
    private int start;
    /** The end of the bytes read so far. */
    private int end;
    /** The longest frame body accepted now. */
    private int maxBodyBytes = Protocol.MAX_FRAME_BYTES;
    /** When the first buffered byte not yet returned in a frame arrived (or a frame was last returned), if any. */
    private long incompleteSince;
    /** How long a frame may stay incomplete once its first byte arrived. */
    private long maxIncompleteNanos = Long.MAX_VALUE;
    private final ReadSpin spin = new ReadSpin();
    /** Whether a read that would block first polls, as {@link #spin} finds it pays. */
    private boolean spinning;

    FrameReader(InputStream in) {
        this.in = in;
        allocate(INITIAL_CAPACITY);
    }

    /**
     * Returns the body of the next frame, reading from the stream as needed; it is valid until the
     * next call.
     *
     * @return the body, or {@code null} if the stream ended between frames
     * @throws MalformedFrameException if a frame header is invalid or the stream ends within a frame
     * @throws IOException if reading fails; after a {@link java.net.SocketTimeoutException} the
     *     reader is intact and the call may be repeated
     */
    FrameBody next() throws IOException {
        if (start == end && buffer.length > RETAINED_CAPACITY) {
            allocate(INITIAL_CAPACITY);
        }
        int length;
        while ((length = bufferedBodyLength()) < 0) {
            if (!fill()) {
                if (start == end) {
                    return null;
                }
                throw new MalformedFrameException("the connection closed within a frame, after " + (end - start)
                        + " of its bytes");
            }
        }
        int bodyStart = start + Protocol.HEADER_BYTES;
        start = bodyStart + length;
        if (start != end) {
            // The bytes left begin the next frame; its wait counts from now, so that a peer whose
            // pipelined frames keep the buffer busy is never taken for one that stopped mid-frame.
            incompleteSince = System.nanoTime();
        }
        body.reset(buffer, bodyStart, length);
        return body;
    }

    /**
     * Returns for how long the bytes of an incomplete frame have been waiting for the rest, or 0 if
     * no byte past the last returned frame is buffered.
     */
    long incompleteFrameNanos() {
        return start == end ? 0 : Math.max(1, System.nanoTime() - incompleteSince);
    }

    /**
     * From now on refuses a frame that stays incomplete for {@code maxNanos} after its first byte
     * arrived, however its bytes trickle in. The check is made before each read and when a read
     * times out, so the stream's read timeout bounds how late it comes.
     */
    void limitIncompleteFrame(long maxNanos) {
        this.maxIncompleteNanos = maxNanos;
    }

    private void checkIncompleteFrame() throws MalformedFrameException {
        long waited = incompleteFrameNanos();
        if (waited >= maxIncompleteNanos) {
            throw new MalformedFrameException("a frame begun " + TimeUnit.NANOSECONDS.toMillis(waited)
                    + " ms ago is still incomplete, beyond the " + TimeUnit.NANOSECONDS.toMillis(maxIncompleteNanos)
                    + " ms allowed");
        }
    }

    /** Returns whether a whole frame is buffered, so that {@link #next()} returns it without blocking. */
    boolean hasBufferedFrame() throws MalformedFrameException {
        return bufferedBodyLength() >= 0;
    }

    /**
     * Returns whether a whole frame can be had without blocking: buffered already, or buffered
     * after reading what the socket holds, if it holds anything. Unlike {@link #hasBufferedFrame()}
     * this sees requests that arrived after the last read.
     */
    boolean hasFrameReady() throws IOException {
        if (hasBufferedFrame()) {
            return true;
        }
        return in.available() > 0 && fill() && hasBufferedFrame();
    }

    /**
     * From now on, a read that would block first polls the stream for a few microseconds while
     * polling pays (see {@link ReadSpin}), or not: for a holder that expects an answer soon.
     */
    void spinBeforeBlocking(boolean spinning) {
        this.spinning = spinning;
    }

    /**
     * Refuses frames whose body is longer than {@code maxBodyBytes} from now on (at most the
     * protocol's maximum): a peer that has not said who it is yet gets only what its HELLO needs.
     */
    void limitBodyBytes(int maxBodyBytes) {
        this.maxBodyBytes = Math.min(maxBodyBytes, Protocol.MAX_FRAME_BYTES);
    }

    /** Returns the body length of the frame at {@link #start} if all of it is buffered, else -1. */
    private int bufferedBodyLength() throws MalformedFrameException {
        if (end - start < Protocol.HEADER_BYTES) {
            return -1;
        }
        int length = bodyLengthAt(start);
        return end - start - Protocol.HEADER_BYTES >= length ? length : -1;
    }

    private int bodyLengthAt(int header) throws MalformedFrameException {
        int length = Protocol.bodyLength((int) INT_LITTLE_ENDIAN.get(buffer, header));
        if (length > maxBodyBytes) {
            throw new MalformedFrameException("a frame of " + length + " bytes, above the " + maxBodyBytes
                    + " allowed on this connection now");
        }
        return length;
    }

    /** Reads more bytes, first making room for the whole frame at {@link #start}; false at end of stream. */
    private boolean fill() throws IOException {
        int frameBytes = end - start < Protocol.HEADER_BYTES
                ? Protocol.HEADER_BYTES
                : Protocol.HEADER_BYTES + bodyLengthAt(start);
        if (start == end) {
            start = 0;
            end = 0;
        } else if (start + frameBytes > buffer.length || end == buffer.length) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.length) {
            // Full, and the frame is longer: grow by doubling as its bytes arrive, never to the
            // length its header announces, so a peer that announces a large frame and sends little
            // of it makes this reader hold little more than what it sent.
            byte[] data = buffer;
            allocate((int) Math.min(2L * buffer.length, frameBytes));
            System.arraycopy(data, 0, buffer, 0, end);
        }
        int want = Math.max(READ_CHUNK, frameBytes - (end - start));
        checkIncompleteFrame();
        if (spinning) {
            spin.awaitReadable(in);
        }
        int n;
        try {
            n = in.read(buffer, end, Math.min(want, buffer.length - end));
        } catch (SocketTimeoutException timeout) {
            checkIncompleteFrame();
            throw timeout;
        }
        if (n < 0) {
            return false;
        }
        if (start == end && n > 0) {
            incompleteSince = System.nanoTime();
        }
        end += n;
        return true;
    }

    private void allocate(int capacity) {
        buffer = new byte[capacity];
    }
}
