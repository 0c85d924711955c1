package io.levelparty;

/** Thrown by every operation on a {@link PartyMap}, its views or its iterators after it was closed. */
public class PartyClosedException extends PartyException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message. */
    public PartyClosedException(String message) {
        super(message);
    }
}
