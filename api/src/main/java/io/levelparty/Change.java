package io.levelparty;

/**
 * A change to a {@link PartyMap}, as its {@linkplain PartyMap#subscribe subscribers} receive it:
 * a {@link Put}, a {@link Remove}, or a {@link Gap} where changes may have been missed.
 *
 * <p>Every write that changes the map (a put, a removal, a successful atomic operation, a batch)
 * is numbered, at the leader, with a {@code sequence} that increases in commit order. The changes
 * of one batch share its number. Sequences count from the start of the current leader's term:
 * after a {@link Gap} with reason {@link GapReason#LEADER_CHANGED} they may start again lower.
 *
 * @param <V> the value type
 */
public sealed interface Change<V> {

    /** {@code key} now maps to {@code value}. */
    record Put<V>(String key, V value, long sequence) implements Change<V> {}

    /** {@code key} was removed. */
    record Remove<V>(String key, long sequence) implements Change<V> {}

    /**
     * Changes may have been missed here: the subscriber's view of the map is no longer complete, and
     * it should read what it needs from the map again. Changes after the gap are delivered as usual.
     */
    record Gap<V>(GapReason reason) implements Change<V> {}

    /** Why changes may have been missed. */
    enum GapReason {
        /**
         * The leader went away and another process leads now: changes committed while the old
         * leader's connection closed may not have been delivered.
         */
        LEADER_CHANGED,
        /** The subscriber fell too far behind, and changes were dropped instead of queued. */
        OVERFLOW,
        /**
         * The store had compacted away the history the subscription was reading from: the
         * changes between the last one delivered and the compaction were missed. The changes
         * after the compaction are delivered as usual.
         */
        COMPACTED
    }
}
