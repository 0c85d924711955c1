package io.levelparty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * How to open a data directory: the value codec and the settings that have sensible defaults.
 * Instances are immutable; each {@code with}-style method returns a changed copy.
 *
 * <pre>{@code
 * PartyOptions<Order> options = PartyOptions.of(Codecs.json(Order.class))
 *         .openTimeout(Duration.ofSeconds(5));
 * }</pre>
 *
 * @param <V> the value type
 */
public final class PartyOptions<V> {
    /** The default for {@link #openTimeout(Duration)}: 10 seconds. */
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(10);
    /** The default for {@link #requestTimeout(Duration)}: 10 seconds. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Codec<V> codec;
    private final Duration openTimeout;
    private final Duration requestTimeout;
    private final Path socketPath;
    private final Set<Integer> allowedUids;
    private final Consistency consistency;
    private final long cacheSize;
    private final boolean syncWrites;
    private final StorageEngine engine;

    /** The default for {@link #cacheSize(long)}: 10,000 entries. */
    public static final long DEFAULT_CACHE_SIZE = 10_000;

    private PartyOptions(Codec<V> codec, Duration openTimeout, Duration requestTimeout, Path socketPath,
            Set<Integer> allowedUids, Consistency consistency, long cacheSize, boolean syncWrites,
            StorageEngine engine) {
        this.codec = codec;
        this.openTimeout = openTimeout;
        this.requestTimeout = requestTimeout;
        this.socketPath = socketPath;
        this.allowedUids = allowedUids;
        this.consistency = consistency;
        this.cacheSize = cacheSize;
        this.syncWrites = syncWrites;
        this.engine = engine;
    }

    /** Returns options with {@code codec} and every other setting at its default. */
    public static <V> PartyOptions<V> of(Codec<V> codec) {
        return new PartyOptions<>(Objects.requireNonNull(codec, "codec"), DEFAULT_OPEN_TIMEOUT,
                DEFAULT_REQUEST_TIMEOUT, null, Set.of(), Consistency.STRICT, DEFAULT_CACHE_SIZE,
                false, StorageEngine.AUTO);
    }

    /**
     * Returns a copy that gives up opening after {@code timeout}: the time allowed to take the lock
     * or reach the process that holds it, after which {@link LevelParty#open} throws
     * {@link PartyUnavailableException}.
     */
    public PartyOptions<V> openTimeout(Duration timeout) {
        return new PartyOptions<>(codec, positive(timeout, "openTimeout"), requestTimeout, socketPath, allowedUids,
                consistency, cacheSize, syncWrites, engine);
    }

    /**
     * Returns a copy in which a call waits at most {@code timeout} for the leader (including the time
     * to elect a new one after the leader went away) before it throws {@link PartyUnavailableException}.
     */
    public PartyOptions<V> requestTimeout(Duration timeout) {
        return new PartyOptions<>(codec, openTimeout, positive(timeout, "requestTimeout"), socketPath, allowedUids,
                consistency, cacheSize, syncWrites, engine);
    }

    /**
     * Returns a copy that uses {@code path} for the leader's Unix socket instead of the default,
     * {@code <dir>/party.sock} (or, when that is longer than the system allows, a path derived from
     * the directory under {@code java.io.tmpdir}). Every process opening the directory must agree.
     */
    public PartyOptions<V> socketPath(Path path) {
        return new PartyOptions<>(codec, openTimeout, requestTimeout, Objects.requireNonNull(path, "path"),
                allowedUids, consistency, cacheSize, syncWrites, engine);
    }

    /**
     * Returns a copy that shares the party with processes of the user id {@code uid}: as a leader,
     * this process serves them (its socket is then open to every user, and its handshake admits
     * only its own user and the allowed ones); as a follower, it trusts a leader of that user. By
     * default a process serves, and trusts, only processes of its own user. The other user must be
     * able to reach the socket: with the default socket path, enter the data directory. A user
     * who may also write the directory and its {@code LOCK} file may lead it in turn; one who may
     * not follows only, and can use the map as long as a process that may lead has it open.
     */
    public PartyOptions<V> allowUid(int uid) {
        Set<Integer> uids = new TreeSet<>(allowedUids);
        uids.add(uid);
        return new PartyOptions<>(codec, openTimeout, requestTimeout, socketPath, Set.copyOf(uids), consistency,
                cacheSize, syncWrites, engine);
    }

    /**
     * Returns a copy whose reads, in a follower, give the promise of {@code consistency}. The
     * default, {@link Consistency#STRICT}, is linearizable, with or without the follower cache;
     * {@link Consistency#RELAXED} acknowledges writes without waiting for other followers' caches,
     * and promises less.
     */
    public PartyOptions<V> consistency(Consistency consistency) {
        return new PartyOptions<>(codec, openTimeout, requestTimeout, socketPath, allowedUids,
                Objects.requireNonNull(consistency, "consistency"), cacheSize, syncWrites, engine);
    }

    /**
     * Returns a copy whose follower cache holds at most {@code entries} keys (values and absences
     * of point reads), evicting the least useful beyond that; 0 turns the cache off. The cache
     * serves a process only while it is a follower; what it promises is set by
     * {@link #consistency(Consistency)}. It holds the values' bytes, and each read gets a value of
     * its own, unless the codec {@linkplain Codec#decodesImmutableValues decodes immutable values}:
     * then every read of a cached value shares one decoded value.
     *
     * @throws IllegalArgumentException if {@code entries} is negative
     */
    public PartyOptions<V> cacheSize(long entries) {
        if (entries < 0) {
            throw new IllegalArgumentException("cacheSize must be 0 or more, was " + entries);
        }
        return new PartyOptions<>(codec, openTimeout, requestTimeout, socketPath, allowedUids, consistency, entries,
                syncWrites, engine);
    }

    /**
     * Returns a copy whose writes are on disk before they are acknowledged: LevelDB syncs its log
     * to disk after each write of this process, whichever process leads, since a follower asks its
     * leader for it as it connects. Other processes' writes keep their own setting.
     *
     * <p>Without it (the default), an acknowledged write is in the operating system's cache: it
     * survives the crash or {@code kill -9} of any process, the leader's too, but a power failure
     * or a crash of the machine's kernel may lose the writes of the last few seconds (they were
     * acknowledged, and may have been read). With it, such a failure loses no acknowledged write of
     * this process; a write then costs one sync of the log, about 0.1 ms on a local SSD, and
     * concurrent writers wait for each other's syncs. Stores other than a LevelDB directory decide
     * their own durability: an etcd cluster syncs every write to a quorum's disks whatever this says.
     */
    public PartyOptions<V> syncWrites(boolean sync) {
        return new PartyOptions<>(codec, openTimeout, requestTimeout, socketPath, allowedUids, consistency, cacheSize,
                sync, engine);
    }

    /**
     * Returns a copy whose process, when it leads, opens LevelDB with {@code engine}; the default is
     * {@link StorageEngine#AUTO}. The system property {@code levelparty.leveldb} ({@code native} or
     * {@code java}), when set, overrides this setting. The choice concerns this process alone:
     * processes of one party may use different engines.
     */
    public PartyOptions<V> engine(StorageEngine engine) {
        return new PartyOptions<>(codec, openTimeout, requestTimeout, socketPath, allowedUids, consistency, cacheSize,
                syncWrites, Objects.requireNonNull(engine, "engine"));
    }

    /** Returns the value codec. */
    public Codec<V> codec() {
        return codec;
    }

    /** Returns the open timeout. */
    public Duration openTimeout() {
        return openTimeout;
    }

    /** Returns the request timeout. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Returns the socket path set by {@link #socketPath(Path)}, if any. */
    public Optional<Path> socketPath() {
        return Optional.ofNullable(socketPath);
    }

    /** Returns the consistency of reads in a follower. */
    public Consistency consistency() {
        return consistency;
    }

    /** Returns the most keys a follower caches. */
    public long cacheSize() {
        return cacheSize;
    }

    /** Returns whether this process's writes are synced to disk before they are acknowledged. */
    public boolean syncWrites() {
        return syncWrites;
    }

    /** Returns the LevelDB engine this process opens a directory with when it leads. */
    public StorageEngine engine() {
        return engine;
    }

    /** Returns the user ids served besides the leader's own. */
    public Set<Integer> allowedUids() {
        return allowedUids;
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "PartyOptions{codec=" + codec + ", openTimeout=" + openTimeout + ", requestTimeout=" + requestTimeout
                + ", socketPath=" + socketPath + ", allowedUids=" + allowedUids + ", consistency=" + consistency
                + ", cacheSize=" + cacheSize + ", syncWrites=" + syncWrites + ", engine=" + engine + '}';
    }
}
