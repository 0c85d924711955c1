package io.levelparty;

/**
 * Thrown when the data directory cannot be used: it cannot be opened or created (the message names
 * the path and the cause), or no leader could be reached or elected within the timeout (the message
 * names the directory, the socket and the last error).
 */
public class PartyUnavailableException extends PartyException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message and an optional cause. */
    public PartyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
