package io.levelparty.spi;

/** Which neighbour of a key {@link PartyStore#navigate} looks for. */
public enum Relation {
    /** The least key greater than or equal to the given key. */
    CEILING,
    /** The least key strictly greater than the given key. */
    HIGHER,
    /** The greatest key less than or equal to the given key. */
    FLOOR,
    /** The greatest key strictly less than the given key. */
    LOWER;

    /** Returns whether this relation looks at keys above the given one. */
    public boolean ascending() {
        return this == CEILING || this == HIGHER;
    }

    /** Returns whether the given key itself qualifies. */
    public boolean inclusive() {
        return this == CEILING || this == FLOOR;
    }
}
