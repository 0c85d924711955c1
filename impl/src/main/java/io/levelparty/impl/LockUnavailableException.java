package io.levelparty.impl;

import java.io.IOException;

/**
 * The directory's LevelDB lock could not be taken: another open, in this process or another,
 * holds it, or this process may not write the {@code LOCK} file. The open may then follow instead.
 */
final class LockUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    LockUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
