package io.levelparty;

/**
 * Thrown when the peer on the socket does not speak LevelParty's protocol, speaks another version
 * of it, refused this process (for example a user id it does not allow), or is not a leader this
 * process trusts: one of another user id than its own and those {@link PartyOptions#allowUid}
 * names, to which nothing is sent.
 */
public class PartyProtocolException extends PartyException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message. */
    public PartyProtocolException(String message) {
        super(message);
    }
}
