package io.levelparty.impl;

import java.util.function.Consumer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.BinaryWire;
import net.openhft.chronicle.wire.ValueOut;

/** Frames built value by value, to make ones the {@link Protocol} writers never would. */
final class RawFrames {
    private RawFrames() {}

    /** Returns a frame whose body is the values {@code body} writes. */
    static byte[] frame(Consumer<ValueOut> body) {
        Bytes<byte[]> bytes = Bytes.allocateElasticOnHeap(64);
        bytes.writeInt(0);
        body.accept(BinaryWire.binaryOnly(bytes).getValueOut());
        bytes.writeInt(0, (int) bytes.writePosition() - Protocol.HEADER_BYTES);
        return bytes.toByteArray();
    }

    /** Returns a HELLO claiming protocol {@code version}, laid out as version 1 does. */
    static byte[] hello(int version) {
        return frame(out -> {
            out.fixedInt8(Protocol.MessageType.HELLO.code);
            out.fixedInt32(version);
            out.uuid(java.util.UUID.randomUUID());
            out.fixedInt64(ProcessHandle.current().pid());
        });
    }

    /** Returns a frame header announcing {@code bodyLength} bytes. */
    static byte[] header(int bodyLength) {
        return Bytes.allocateElasticOnHeap(4).writeInt(bodyLength).toByteArray();
    }
}
