package io.levelparty.impl;

import java.io.IOException;
import java.io.OutputStream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.BinaryWire;
import net.openhft.chronicle.wire.WireOut;

/**
 * Frames waiting to be written to a socket: the {@link Protocol} writers append to {@link #wire()},
 * and {@link #writeTo} sends all of them in one write. Not thread-safe; callers that share one
 * serialize their use of it, and it may pass between threads.
 */
final class FrameBuffer {
    private static final int INITIAL_CAPACITY = 8 << 10;
    /** A buffer grown past this for a large frame is dropped once written. */
    private static final int RETAINED_CAPACITY = 1 << 20;

    private Bytes<byte[]> bytes;
    private BinaryWire wire;

    FrameBuffer() {
        allocate();
    }

    /** Returns the wire the {@link Protocol} writers append frames to. */
    WireOut wire() {
        return wire;
    }

    boolean isEmpty() {
        return bytes.writePosition() == 0;
    }

    /** Returns the number of bytes waiting. */
    long size() {
        return bytes.writePosition();
    }

    /** Writes every waiting frame to {@code out} in one write, and empties this buffer. */
    void writeTo(OutputStream out) throws IOException {
        out.write(bytes.underlyingObject(), 0, (int) bytes.writePosition());
        if (bytes.realCapacity() > RETAINED_CAPACITY) {
            allocate();
        } else {
            bytes.clear();
        }
    }

    private void allocate() {
        bytes = Bytes.allocateElasticOnHeap(INITIAL_CAPACITY);
        // Shared under a lock by a follower's calling threads; the lock orders every access.
        bytes.singleThreadedCheckDisabled(true);
        wire = BinaryWire.binaryOnly(bytes);
    }
}
