package io.levelparty.impl;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The body of one received frame, read from start to end: a window on the {@link FrameReader}'s
 * buffer, valid until its next frame. Reads past the end throw {@link IndexOutOfBoundsException};
 * the {@link Protocol} readers check what is left first, so that a short frame is a
 * {@link MalformedFrameException}.
 */
final class FrameBody {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buffer;
    private int position;
    private int limit;

    /** A body over all of {@code bytes}. */
    static FrameBody of(byte[] bytes) {
        FrameBody body = new FrameBody();
        body.reset(bytes, 0, bytes.length);
        return body;
    }

    /** Points this body at {@code length} bytes of {@code buffer} from {@code start}. */
    void reset(byte[] buffer, int start, int length) {
        this.buffer = buffer;
        this.position = start;
        this.limit = start + length;
    }

    int remaining() {
        return limit - position;
    }

    int peekUnsignedByte() {
        check(1);
        return buffer[position] & 0xFF;
    }

    int readUnsignedByte() {
        check(1);
        return buffer[position++] & 0xFF;
    }

    byte readByte() {
        check(1);
        return buffer[position++];
    }

    int readUnsignedShort() {
        check(2);
        int value = (short) SHORT.get(buffer, position) & 0xFFFF;
        position += 2;
        return value;
    }

    int readInt() {
        check(4);
        int value = (int) INT.get(buffer, position);
        position += 4;
        return value;
    }

    long readUnsignedInt() {
        return readInt() & 0xFFFFFFFFL;
    }

    long readLong() {
        check(8);
        long value = (long) LONG.get(buffer, position);
        position += 8;
        return value;
    }

    /** Reads {@code length} bytes into a new array. */
    byte[] readBytes(int length) {
        check(length);
        byte[] bytes = new byte[length];
        System.arraycopy(buffer, position, bytes, 0, length);
        position += length;
        return bytes;
    }

    /**
     * Reads {@code length} bytes of the protocol's UTF-8, which encodes each UTF-16 unit on its own
     * in one to three bytes.
     *
     * @throws MalformedFrameException if they are not such a sequence
     */
    String readText(int length) throws MalformedFrameException {
        check(length);
        int end = position + length;
        StringBuilder text = new StringBuilder(length);
        while (position < end) {
            int b = buffer[position++] & 0xFF;
            if (b < 0x80) {
                text.append((char) b);
            } else if ((b & 0xE0) == 0xC0 && position < end && isContinuation(buffer[position])) {
                text.append((char) ((b & 0x1F) << 6 | buffer[position++] & 0x3F));
            } else if ((b & 0xF0) == 0xE0 && position + 1 < end && isContinuation(buffer[position])
                    && isContinuation(buffer[position + 1])) {
                text.append((char) ((b & 0x0F) << 12 | (buffer[position] & 0x3F) << 6 | buffer[position + 1] & 0x3F));
                position += 2;
            } else {
                throw new MalformedFrameException("text is not valid UTF-8: byte 0x" + Integer.toHexString(b)
                        + " at " + (length - (end - position) - 1));
            }
        }
        return text.toString();
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    private void check(int bytes) {
        if (bytes < 0 || bytes > limit - position) {
            throw new IndexOutOfBoundsException("reading " + bytes + " bytes with " + (limit - position) + " left");
        }
    }
}
