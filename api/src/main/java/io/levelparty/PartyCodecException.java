package io.levelparty;

/**
 * Thrown when the map's {@link Codec} fails to encode a value (then nothing was written) or to
 * decode stored bytes (when those are the value a {@code put} or {@code remove} replaced, the
 * write was applied, and the message says so). The message names the codec and the key; the
 * cause is the codec's exception.
 */
public class PartyCodecException extends PartyException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message and the codec's exception. */
    public PartyCodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
