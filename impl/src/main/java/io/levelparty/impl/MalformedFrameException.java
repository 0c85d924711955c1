package io.levelparty.impl;

import java.io.IOException;

/**
 * Thrown when a peer's bytes break the {@linkplain Protocol protocol}: a bad frame header, an
 * unknown message type, a value of the wrong type, a frame cut short or with bytes left over. The
 * connection it came from cannot be trusted any further and is closed.
 */
final class MalformedFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedFrameException(String message) {
        super(message);
    }
}
