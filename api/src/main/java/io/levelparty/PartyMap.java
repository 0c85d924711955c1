package io.levelparty;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.function.Consumer;

/**
 * A {@link ConcurrentNavigableMap} of strings to values, stored in a LevelDB directory and shared by
 * every process that opened the same directory with {@link LevelParty#open}.
 *
 * <h2>Keys and order</h2>
 * Keys are stored as their UTF-8 bytes, and LevelDB orders those bytewise, which is the order of
 * Unicode code points. {@link #comparator()} returns that order (it differs from
 * {@link String#compareTo}, which orders UTF-16 units, only for characters outside the Basic
 * Multilingual Plane against those from U+E000 to U+FFFF), and every view agrees with it. A key
 * with an unpaired surrogate has no UTF-8 form: operations given one throw
 * {@link IllegalArgumentException}. Like {@link java.util.concurrent.ConcurrentSkipListMap}, this
 * map permits neither {@code null} keys nor {@code null} values: they cause
 * {@link NullPointerException}.
 *
 * <h2>Consistency</h2>
 * Each single-key operation is atomic and linearizable across all processes: it takes effect at one
 * instant between its call and its return, at the leader. (A process that opens the map with
 * {@link Consistency#RELAXED} trades that for cached point reads; writes and atomic operations stay
 * as described here.) The atomic operations of
 * {@link java.util.concurrent.ConcurrentMap} ({@code putIfAbsent}, {@code remove(key, value)},
 * both {@code replace} methods, {@code compute}, {@code computeIfAbsent},
 * {@code computeIfPresent}, {@code merge}) and {@link #pollFirstEntry()}/{@link #pollLastEntry()}
 * are atomic across all processes: they compare and set encoded value bytes at the leader and
 * retry on conflict, so the functions given to {@code compute}-style methods run in the calling
 * process and may run more than once. Values are compared with {@code equals} after decoding, and
 * set by their encoded bytes, so codecs must encode equal values to equal bytes.
 *
 * <p>Bulk operations ({@code putAll}, {@code clear}, {@code replaceAll}, {@code equals},
 * {@code size} …) are not atomic, as in {@code ConcurrentSkipListMap}; use {@link #batch()} for an
 * atomic group of writes. {@code size()} counts the entries, which takes time linear in their
 * number.
 *
 * <h2>Iterators and views</h2>
 * The views ({@code keySet}, {@code values}, {@code entrySet}, sub maps, descending maps) are live
 * and write through. Their iterators are <i>weakly consistent</i>: they never throw
 * {@link java.util.ConcurrentModificationException}, return each key at most once and in order,
 * and reflect the state of the map at some point at or since their creation. They read the
 * directory in pages, so iterating a large range takes bounded memory. {@code Iterator.remove()}
 * removes the last key returned. Entries returned by iterators and navigation methods are immutable
 * snapshots: {@code Map.Entry.setValue} is not supported.
 *
 * <h2>Leaders, followers and failover</h2>
 * The first process to open a directory {@linkplain Role#LEADER leads} it: it holds LevelDB's lock
 * and serves the other processes, the {@linkplain Role#FOLLOWER followers}, over a Unix socket.
 * Every process sees the same map with the same guarantees. When the leader closes its map or
 * dies, the followers elect a new leader among themselves and {@link #role()} may change. Calls in
 * progress at that moment, and calls made while the election runs, wait and then complete against
 * the new leader, which may be the calling process itself: reads are repeated, and each write is
 * resent under the number it was first sent with, so that it takes effect exactly once (a
 * {@code replace} or {@code putIfAbsent} reports its real outcome even if the old leader applied
 * it just before dying). Iterators continue after the last key they returned. A call gives up with
 * {@link PartyUnavailableException} once the {@linkplain PartyOptions#requestTimeout request
 * timeout} passes without an answer, for example while the leader process is stopped (SIGSTOP)
 * or too busy: a write that gave up this way may or may not take effect later. Service resumes
 * when the leader answers again.
 *
 * <p>A calling thread whose call is the only one its process has in flight, and the leader's thread
 * for a follower between two of its requests, poll the socket for up to 25 µs before they block,
 * for as long as the answers come that fast (a kernel wake-up costs more than a round trip's work);
 * with one CPU, or when the answers come later, they block at once.
 *
 * <h2>Interrupts</h2>
 * Calls are not interruptible. A thread whose interrupt flag is set when it calls a method of this
 * map, its views or their iterators, or that is interrupted during the call, gets the outcome it
 * would have had without the interrupt (a result, or the exception the call would have thrown
 * anyway, such as {@link PartyUnavailableException} after the request timeout), and returns with
 * its interrupt flag still set, for the caller's own blocking calls to see. An interrupt never
 * makes the map give up a call half-way, never changes which process leads, and never loses or
 * repeats a write: every wait inside a call is bounded by the request timeout or by a cache lease
 * (100 ms), so an interrupted caller is never held longer than the documented timeouts.
 *
 * <h2>Lifecycle</h2>
 * A map is closed with {@link #close()}; afterwards every operation on it, its views and their
 * iterators throws {@link PartyClosedException}. Operations that cannot reach the data in time
 * throw {@link PartyUnavailableException}; a value the codec cannot encode causes
 * {@link PartyCodecException}, with nothing written. When {@code put} or {@code remove} cannot
 * decode the value it replaced, the write was applied, and the {@code PartyCodecException} says
 * so. A value that encodes to more than 8 MiB less 64 KiB is refused with
 * {@link IllegalArgumentException} in every process, and when the filesystem of the directory has
 * less free space than LevelParty keeps in reserve (64 MiB, system property
 * {@code levelparty.diskReserveBytes}), writes fail with a {@link PartyException} naming the free
 * space, with nothing written, until space is freed; reads go on.
 *
 * @param <V> the value type
 */
public interface PartyMap<V> extends ConcurrentNavigableMap<String, V>, AutoCloseable {

    /** Returns this process's current role for the directory. It can change when a leader goes away. */
    Role role();

    /**
     * Calls {@code listener} with the new role each time this process's role changes, until the
     * returned subscription is closed. The listener runs on an internal thread and must not block.
     */
    Subscription onRoleChange(Consumer<Role> listener);

    /**
     * Delivers every change to this map made from now on, by any process, to {@code listener}, until
     * the returned subscription is closed (or the map is). Equivalent to
     * {@code subscribe(null, false, null, false, listener)}.
     */
    Subscription subscribe(Consumer<? super Change<V>> listener);

    /**
     * Delivers every change to a key of the given range made from now on, by any process, to
     * {@code listener}, until the returned subscription is closed (or the map is). The bounds work
     * as in {@link #subMap(Object, boolean, Object, boolean)}, except that a {@code null} bound
     * leaves that end of the range open.
     *
     * <ul>
     *   <li><b>What:</b> a {@link Change.Put} or {@link Change.Remove} per key written, with the
     *       write's {@linkplain Change sequence}, in commit order; each change once. Every change
     *       committed after this method returns is delivered, unless a {@link Change.Gap} reports
     *       that some may have been missed.
     *   <li><b>Gaps:</b> when the leader changes, changes committed around the switch cannot all be
     *       guaranteed, so a {@code Gap} with {@link Change.GapReason#LEADER_CHANGED} comes between
     *       the last change delivered from the old leader and the first from the new one. A
     *       subscriber that falls {@value #SUBSCRIBER_QUEUE_CAPACITY} writes behind, or whose
     *       process cannot take the leader's changes fast enough, gets a {@code Gap} with
     *       {@link Change.GapReason#OVERFLOW} in place of the changes dropped. After a gap, read the
     *       map for what the subscriber needs to know.
     *   <li><b>Thread:</b> each subscription has its own daemon thread, named
     *       {@code levelparty-subscriber}, which calls the listener one change at a time: a slow
     *       listener delays only itself, and never a writer. The listener may use the map. An
     *       exception it throws is logged and delivery goes on.
     *   <li>A value the codec cannot decode is logged and its change skipped.
     * </ul>
     *
     * @throws IllegalArgumentException if {@code fromKey} is greater than {@code toKey}
     * @throws NullPointerException if {@code listener} is null
     */
    Subscription subscribe(String fromKey, boolean fromInclusive, String toKey, boolean toInclusive,
            Consumer<? super Change<V>> listener);

    /** How many writes a subscriber may fall behind before changes are dropped for it. */
    int SUBSCRIBER_QUEUE_CAPACITY = 10_000;

    /** Returns a snapshot of this process's role, its leader's process id, and the cache counts. */
    PartyStats stats();

    /**
     * Returns the processes that follow the leader now, as the leader sees them, one entry per
     * process (this one included, if it follows), ordered by process id; empty for a map whose
     * store is not shared.
     */
    List<PartyFollower> followers();

    /**
     * Writes a consistent copy of the whole map, every entry as of one moment, as a new LevelDB
     * directory at {@code destination}, which plain LevelDB and Node's {@code level} open (and
     * LevelParty too). The leader writes it, while every process goes on reading and writing; it
     * appears at {@code destination} only once whole. From a follower, the call waits for the
     * leader within the request timeout, so give a large one for a large map; only the leader's
     * own user may ask for a backup, since the leader writes it as that user.
     *
     * @throws IllegalArgumentException if {@code destination} exists, or this process's user is
     *     not the leader's
     * @throws UnsupportedOperationException if the map's store cannot write LevelDB backups
     */
    void backup(Path destination);

    /**
     * Compacts the storage of the keys from {@code fromKey} (inclusive) to {@code toKey}
     * (exclusive), {@code null} for an open end, so that reads there no longer step over entries
     * deleted or overwritten: worth it after many removals, which otherwise slow navigation
     * ({@code firstKey}, {@code lastKey}, {@code floorKey} and such) near them. The leader does the
     * work; it may take a while on a large range.
     *
     * @throws PartyException if the filesystem of the directory has less free space than the
     *     reserve writes may not eat into (see the class comment): a compaction writes its new
     *     files before it deletes the old ones
     */
    void compact(String fromKey, String toKey);

    /** Returns a new, empty batch of writes to apply atomically with {@link Batch#apply()}. */
    Batch<V> batch();

    /**
     * Closes this map. If this process is the leader, another process takes over. Idempotent.
     */
    @Override
    void close();

    /**
     * Writes collected to be applied at once: every process sees all of them or none. Later writes
     * to the same key win. Not thread-safe; apply it once.
     *
     * @param <V> the value type
     */
    interface Batch<V> {
        /** Adds a put of {@code value} under {@code key} and returns this batch. */
        Batch<V> put(String key, V value);

        /** Adds a removal of {@code key} and returns this batch. */
        Batch<V> remove(String key);

        /** Applies the writes atomically. */
        void apply();
    }
}
