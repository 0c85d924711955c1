package io.levelparty.spi;

import io.levelparty.PartyFollower;
import io.levelparty.PartyStats;
import io.levelparty.Role;
import io.levelparty.Subscription;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A sorted store of byte keys and byte values: what the map facade needs from the leader's LevelDB,
 * from the connection to a remote leader, or from a store of a user's own.
 *
 * <p>Keys are ordered unsigned bytewise. Keys that begin with byte {@code 0xFF} are reserved for
 * the store's own records: no operation is given one, and no navigation or scan returns one.
 * Every method is thread-safe, and every single-key write is atomic and linearizable. A
 * {@code null} value stands for an absent key. Methods throw {@link io.levelparty.PartyClosedException}
 * after {@link #close()} and {@link io.levelparty.PartyUnavailableException} when the data cannot be
 * reached in time.
 */
public interface PartyStore extends AutoCloseable {

    /** Returns the value of {@code key}, or {@code null}. */
    byte[] get(byte[] key);

    /** Stores {@code value} under {@code key} and returns the previous value, or {@code null}, atomically. */
    byte[] put(byte[] key, byte[] value);

    /** Deletes {@code key} and returns the previous value, or {@code null}, atomically. */
    byte[] delete(byte[] key);

    /**
     * Atomically sets {@code key} to {@code update} if its current value equals {@code expected}
     * bytewise. A {@code null} {@code expected} means "absent"; a {@code null} {@code update} deletes.
     *
     * @return whether the value was set
     */
    boolean compareAndSet(byte[] key, byte[] expected, byte[] update);

    /** Applies {@code writes} atomically, in order: a later write to the same key wins. */
    void batch(List<StoreWrite> writes);

    /**
     * Returns the entry whose key is in the given {@code relation} to {@code key}, or {@code null}.
     * A {@code null} key stands beyond every key: {@link Relation#CEILING}/{@link Relation#HIGHER}
     * then return the first entry and {@link Relation#FLOOR}/{@link Relation#LOWER} the last.
     */
    StoreEntry navigate(byte[] key, Relation relation);

    /**
     * Returns up to {@code limit} entries of {@code range} in ascending order, or descending when
     * {@code descending}: one page of a scan, read from one consistent state. Callers continue a
     * scan with the range {@linkplain KeyRange#above above} (or below) the last key returned.
     */
    List<StoreEntry> scan(KeyRange range, boolean descending, int limit);

    /** Returns the number of entries in {@code range}. */
    long count(KeyRange range);

    /**
     * Writes a consistent copy of every entry (one state of the store) as a new LevelDB directory
     * at {@code destination}, which must not exist: one that plain LevelDB, and Node's
     * {@code level}, open. Stores that cannot throw {@link UnsupportedOperationException}.
     *
     * @throws IllegalArgumentException if {@code destination} exists
     */
    default void backup(Path destination) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot write a LevelDB backup");
    }

    /**
     * Compacts the storage of {@code range}, so that reads no longer step over the entries deleted
     * or overwritten there. Stores without such work do nothing.
     */
    default void compact(KeyRange range) {}

    /** Returns the processes following the leader now, ordered by pid; stores that are not shared have none. */
    default List<PartyFollower> followers() {
        return List.of();
    }

    /** Returns this process's current role. Stores that are not shared are always the leader. */
    default Role role() {
        return Role.LEADER;
    }

    /**
     * Passes every write committed from now on, by any process, to {@code listener}, in commit
     * order, until the subscription is closed; and a gap where writes may have been missed. When
     * this method returns, the subscription is in place. Stores that do not support it throw
     * {@link UnsupportedOperationException}.
     */
    default Subscription subscribe(ChangeListener listener) {
        throw new UnsupportedOperationException(getClass().getName() + " does not publish its changes");
    }

    /** Returns this store's role, leader and cache counts; stores without a cache report zeros. */
    default PartyStats stats() {
        return PartyStats.of(role(), ProcessHandle.current().pid());
    }

    /** Calls {@code listener} on every change of {@link #role()} until the subscription is closed. */
    default Subscription onRoleChange(Consumer<Role> listener) {
        return () -> {};
    }

    /** Releases the store. Idempotent. */
    @Override
    void close();
}
