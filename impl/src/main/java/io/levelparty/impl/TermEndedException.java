package io.levelparty.impl;

import io.levelparty.PartyException;

/**
 * Thrown inside a process when the term a call ran in ended under it: this process's leadership
 * is closing (its LevelDB, its server or its cache coherence closed), or its connection to the
 * leader was closed because a new term began. It never reaches a caller of the map:
 * {@link ElectedStore} runs the call again in the next term, or, if the map itself was closed,
 * throws {@link io.levelparty.PartyClosedException} instead. A write that fails this way was not
 * applied. Kept apart from the public exceptions so that nothing a caller can cause (an interrupt,
 * a timeout) is ever taken for the end of a term.
 */
final class TermEndedException extends PartyException {
    private static final long serialVersionUID = 1L;

    TermEndedException(String message) {
        super(message);
    }
}
