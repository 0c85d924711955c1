package io.levelparty.impl;

/**
 * Thrown when a message would exceed the protocol's {@linkplain Protocol#MAX_FRAME_BYTES maximum
 * frame}. Nothing of it was written: the buffer it was to go into is as it was before.
 */
final class FrameTooLargeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    FrameTooLargeException(String message) {
        super(message);
    }
}
