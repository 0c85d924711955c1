package io.levelparty;

/**
 * Thrown when the peer on the socket does not speak LevelParty's protocol, speaks another version
 * of it, or refused this process (for example a user id it does not allow).
 */
public class PartyProtocolException extends PartyException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message. */
    public PartyProtocolException(String message) {
        super(message);
    }
}
