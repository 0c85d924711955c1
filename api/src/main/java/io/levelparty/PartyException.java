package io.levelparty;

/** The base of the unchecked exceptions a {@link PartyMap} throws for reasons of its own. */
public class PartyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message and an optional cause. */
    public PartyException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Creates an exception with a message. */
    public PartyException(String message) {
        super(message);
    }
}
