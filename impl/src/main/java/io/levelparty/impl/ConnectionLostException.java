package io.levelparty.impl;

import io.levelparty.PartyException;

/**
 * Thrown by every call on a {@link FollowerSideConnection} (so of a {@link RemoteStore}) that was
 * waiting when the connection to the leader was lost, and by every later call. A write that fails
 * this way may or may not have been applied; the failover layer re-elects and resends it under the
 * same sequence number. The cause is what ended the connection.
 */
final class ConnectionLostException extends PartyException {
    private static final long serialVersionUID = 1L;

    ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
