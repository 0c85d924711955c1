package io.levelparty.impl;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.UUID;

/**
 * Frames waiting to be written to a socket: the {@link Protocol} writers append frames value by
 * value, each value encoded as the protocol specifies, and {@link #writeTo} sends all of them in
 * one write. Not thread-safe; callers that share one serialize their use of it, and it may pass
 * between threads.
 */
final class FrameBuffer {
    private static final int INITIAL_CAPACITY = 8 << 10;
    /** A buffer grown past this for a large frame is dropped once written. */
    private static final int RETAINED_CAPACITY = 1 << 20;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buffer = new byte[INITIAL_CAPACITY];
    private int end;

    boolean isEmpty() {
        return end == 0;
    }

    /** Returns the number of bytes waiting. */
    int size() {
        return end;
    }

    /** Writes every waiting frame to {@code out} in one write, and empties this buffer. */
    void writeTo(OutputStream out) throws IOException {
        out.write(buffer, 0, end);
        end = 0;
        if (buffer.length > RETAINED_CAPACITY) {
            buffer = new byte[INITIAL_CAPACITY];
        }
    }

    /** Returns a copy of the bytes waiting. */
    byte[] toByteArray() {
        return Arrays.copyOf(buffer, end);
    }

    // ---------------------------------------------------------------- frames

    /** Begins a frame: reserves its header, and returns where it begins. */
    int beginFrame() {
        ensure(Protocol.HEADER_BYTES);
        INT.set(buffer, end, 0);
        end += Protocol.HEADER_BYTES;
        return end - Protocol.HEADER_BYTES;
    }

    /** Returns the length of the body of the frame begun at {@code start}, so far. */
    int bodyLength(int start) {
        return end - start - Protocol.HEADER_BYTES;
    }

    /** Ends the frame begun at {@code start}: its header gets its body's length. */
    void endFrame(int start) {
        INT.set(buffer, start, bodyLength(start));
    }

    /** Takes the frame begun at {@code start} back out: the buffer is as it was before it began. */
    void dropFrame(int start) {
        end = start;
    }

    // ---------------------------------------------------------------- values

    void int8(int value) {
        ensure(2);
        buffer[end] = (byte) Protocol.Code.INT8;
        buffer[end + 1] = (byte) value;
        end += 2;
    }

    void int32(int value) {
        ensure(5);
        buffer[end] = (byte) Protocol.Code.INT32;
        INT.set(buffer, end + 1, value);
        end += 5;
    }

    void int64(long value) {
        ensure(9);
        buffer[end] = (byte) Protocol.Code.INT64;
        LONG.set(buffer, end + 1, value);
        end += 9;
    }

    void bool(boolean value) {
        ensure(1);
        buffer[end++] = (byte) (value ? Protocol.Code.TRUE : Protocol.Code.FALSE);
    }

    void uuid(UUID value) {
        ensure(17);
        buffer[end] = (byte) Protocol.Code.UUID;
        LONG.set(buffer, end + 1, value.getMostSignificantBits());
        LONG.set(buffer, end + 9, value.getLeastSignificantBits());
        end += 17;
    }

    /** Writes {@code value}; its length, as the protocol counts it, includes the array code. */
    void bytes(byte[] value) {
        long n = value.length + 1L;
        ensure(6 + value.length);
        if (n <= 0xFF) {
            buffer[end++] = (byte) Protocol.Code.BYTES_LENGTH8;
            buffer[end++] = (byte) n;
        } else if (n <= 0xFFFF) {
            buffer[end++] = (byte) Protocol.Code.BYTES_LENGTH16;
            buffer[end++] = (byte) n;
            buffer[end++] = (byte) (n >>> 8);
        } else {
            buffer[end++] = (byte) Protocol.Code.BYTES_LENGTH32;
            INT.set(buffer, end, (int) n);
            end += 4;
        }
        buffer[end++] = (byte) Protocol.Code.U8_ARRAY;
        System.arraycopy(value, 0, buffer, end, value.length);
        end += value.length;
    }

    /** Writes {@code value}, or the null code. */
    void nullableBytes(byte[] value) {
        if (value == null) {
            ensure(1);
            buffer[end++] = (byte) Protocol.Code.NULL;
        } else {
            bytes(value);
        }
    }

    /** Writes {@code value} in the protocol's UTF-8, which encodes each UTF-16 unit on its own. */
    void text(String value) {
        int n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        ensure(11 + n);
        if (n < 32) {
            buffer[end++] = (byte) (Protocol.Code.STRING_0 + n);
        } else {
            buffer[end++] = (byte) Protocol.Code.STRING_ANY;
            for (long rest = n; ; rest >>>= 7) {
                if (rest < 0x80) {
                    buffer[end++] = (byte) rest;
                    break;
                }
                buffer[end++] = (byte) (rest | 0x80);
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                buffer[end++] = (byte) c;
            } else if (c < 0x800) {
                buffer[end++] = (byte) (0xC0 | c >>> 6);
                buffer[end++] = (byte) (0x80 | c & 0x3F);
            } else {
                buffer[end++] = (byte) (0xE0 | c >>> 12);
                buffer[end++] = (byte) (0x80 | c >>> 6 & 0x3F);
                buffer[end++] = (byte) (0x80 | c & 0x3F);
            }
        }
    }

    /** Makes room for {@code bytes} more; a frame too large for the protocol is refused later, by its length. */
    private void ensure(int bytes) {
        if (end + bytes > buffer.length) {
            long wanted = Math.max(2L * buffer.length, (long) end + bytes);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new OutOfMemoryError("a frame buffer of " + wanted + " bytes");
            }
            buffer = Arrays.copyOf(buffer, (int) wanted);
        }
    }
}
