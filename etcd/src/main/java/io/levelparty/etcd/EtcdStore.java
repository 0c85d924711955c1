package io.levelparty.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.levelparty.Consistency;
import io.levelparty.PartyException;
import io.levelparty.PartyOptions;
import io.levelparty.PartyStats;
import io.levelparty.Role;
import io.levelparty.Subscription;
import io.levelparty.spi.CachedPointReads;
import io.levelparty.spi.ChangeListener;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.PartyStore;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A {@link PartyStore} kept in an etcd v3 cluster under one key prefix, so that processes on any
 * number of machines share one map: what {@code LevelParty.open(URI.create("etcd://host:port/path"),
 * codec)} opens, through {@link EtcdStoreProvider}.
 *
 * <ul>
 *   <li><b>Consistency:</b> every write is one etcd transaction, so each single-key operation and
 *       each batch is atomic and linearizable across all processes of all machines.
 *       Under {@link Consistency#STRICT} (the default) every read is linearizable too (etcd's
 *       default, not serializable reads), and nothing is cached, whatever the cache size: a cached
 *       value could be served only after asking etcd whether it is still current, a round trip
 *       that costs as much as the read itself (etcd has no cheaper conditional read).
 *   <li><b>RELAXED reads:</b> under {@link Consistency#RELAXED} with a cache size above 0, point
 *       reads ({@code get} and the map methods built on it) are served from a Caffeine cache of
 *       that many entries, which a watch of the map's keys keeps current (see
 *       {@link RelaxedReadCache}); a miss reads etcd linearizably and caches the result. Guarantees:
 *       <ul>
 *         <li>read-your-writes: once a write of this process returns, this process reads that write
 *             or a later one (each write puts its value in the cache before it returns);
 *         <li>monotonic reads: once this process has read or written a value of a key, it never
 *             reads an older value of that key (each cached value carries the etcd revision it is
 *             known at, and an older one never replaces a newer one);
 *         <li>eventual: a write by another process reaches this process's cache when the watch
 *             delivers it, about one round trip to etcd after it commits, with no upper bound while
 *             etcd or this process is slow;
 *         <li>while the watch is down (a connection lost, a member without a leader, history
 *             compacted) the cache is empty and every read goes to etcd, until the next watch is in
 *             place.
 *       </ul>
 *       Navigation, scans, counts and atomic operations always read etcd linearizably.
 *   <li><b>Exactly once:</b> a call whose reply is lost (a member killed, a connection cut, an
 *       attempt timed out) is sent again until the request timeout, and each write takes effect
 *       once however often it is sent, reporting its real outcome ({@link RequestRecords}). A call
 *       that gives up with {@link io.levelparty.PartyUnavailableException} after the request
 *       timeout may or may not have taken effect.
 *   <li><b>Limits:</b> a batch holds at most {@value #MAX_BATCH_KEYS} distinct keys (etcd allows
 *       128 operations per transaction, and one records the request), and no request, a batch or a
 *       single value, may exceed etcd's 1.5 MiB; larger ones are refused with
 *       {@link IllegalArgumentException} and nothing is written. A scan page holds at most
 *       {@value #MAX_PAGE} entries, so that a page's keys can be deleted in one batch.
 *   <li><b>Costs:</b> each call is a round trip to the etcd leader. Navigation asks etcd for one
 *       key of a range bounded by the map and the given key; etcd 3.4 still walks its index over
 *       that whole range, and for the descending relations ({@code FLOOR}, {@code LOWER}, the last
 *       key, descending scans) it also reads and sorts every entry of the range, so those cost time
 *       linear in the number of keys below the given one. {@code count} is linear too.
 *   <li><b>Changes:</b> {@link #subscribe} watches the map's keys from the revision current when it
 *       is called; each etcd revision is one call of the listener, numbered by the revision. A watch
 *       that breaks resumes where it was, losing nothing ({@link WatchFeed}); if etcd compacted
 *       history the watch still needed meanwhile, the listener gets a gap with
 *       {@link io.levelparty.Change.GapReason#COMPACTED} and the changes after the compaction.
 *   <li><b>Role:</b> {@link #role()} is always {@link Role#LEADER}: no process of the map leads
 *       the others, each talks to etcd, whose own raft leader orders all writes; every process has
 *       the guarantees a LevelParty leader has. A change of etcd leader is not a change of role.
 *       {@link #stats()} names this process as the leader, counts its writes and, under
 *       {@code RELAXED}, its cache's hits, misses, evictions and entries.
 * </ul>
 */
public final class EtcdStore implements PartyStore, CachedPointReads {
    /*
     * Implementation overview.
     *
     * Keys: KeySpace maps map key k to etcd key "path \0 k"; the store's own records sit at
     * "path \0 0xFF …", outside every range the map reads or watches.
     *
     * Connections: SharedClients gives every store on the same endpoints one jetcd client.
     *
     * RELAXED reads: a RelaxedReadCache fed by a WatchFeed of its own, started at open from the
     * revision of the open's read; get() offers it every value it reads, with the read's header
     * revision, and every write its own value, with the write's revision, before returning.
     *
     * Calls: RetryingCalls sends each request again while etcd cannot answer, until the request
     * timeout. Reads repeat freely. Each write is one transaction guarded by a request record
     * (RequestRecords): If(record absent [, write's condition]) Then(writes, create record)
     * Else(read record). The first attempt to commit creates the record; any later attempt finds it
     * and reports what the first did — a put or delete reads the value the key had at the revision
     * before the record's, which etcd keeps until it is compacted.
     *
     * Reads of ranges: etcd ranges are half-open [start, end); KeySpace.bounds turns a KeyRange into
     * one inside [path \0, path \0 0xFF). Ascending pages use etcd's natural key order with a limit;
     * descending ones sort by key, descending.
     *
     * Names: k is a map key, ek an etcd key, rec the request record of the write being sent.
     */

    /** The most distinct keys one {@link #batch} may write. */
    static final int MAX_BATCH_KEYS = 127;
    /** The most entries one {@link #scan} page returns. */
    static final int MAX_PAGE = MAX_BATCH_KEYS;
    /** etcd's default {@code --max-request-bytes}. */
    static final int MAX_REQUEST_BYTES = 1536 * 1024;
    /** An upper bound on what an operation of a transaction adds to the request beyond its key and value. */
    private static final int OP_OVERHEAD_BYTES = 16;
    private static final PutOption PREVIOUS_VALUE = PutOption.builder().withPrevKV().build();
    private static final DeleteOption PREVIOUS_VALUES = DeleteOption.builder().withPrevKV(true).build();

    private final EtcdAddress address;
    private final KeySpace keys;
    private final Client client;
    private final KV kv;
    private final RetryingCalls calls;
    private final RequestRecords records;
    private final ScheduledExecutorService watchRestarts;
    private final Set<WatchFeed> feeds = ConcurrentHashMap.newKeySet();
    /** The RELAXED cache of point reads, or null: STRICT, or a cache size of 0. */
    private final RelaxedReadCache cache;
    /** Writes that committed, a batch counting once. */
    private final LongAdder committedWrites = new LongAdder();
    private volatile boolean closed;

    private EtcdStore(EtcdAddress address, PartyOptions<?> options) {
        this.address = address;
        this.keys = new KeySpace(address.pathBytes());
        this.client = SharedClients.acquire(address.endpoints());
        this.kv = client.getKVClient();
        this.calls = new RetryingCalls(address.endpoints().toString(), options.requestTimeout(), "request timeout",
                () -> closed);
        this.records = new RequestRecords(keys, options.requestTimeout());
        this.cache = options.consistency() == Consistency.RELAXED && options.cacheSize() > 0
                ? new RelaxedReadCache(options.cacheSize(), options.codec()) : null;
        this.watchRestarts = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "levelparty-etcd-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects to the cluster {@code address} names and checks within the open timeout of
     * {@code options} that it answers a linearizable read; a RELAXED store with a cache starts the
     * watch that feeds it from the revision of that read.
     *
     * @throws io.levelparty.PartyUnavailableException naming the endpoints and the last error if
     *     it does not
     */
    static EtcdStore open(EtcdAddress address, PartyOptions<?> options) {
        EtcdStore store = new EtcdStore(address, options);
        try {
            RetryingCalls opening = new RetryingCalls(address.endpoints().toString(), options.openTimeout(),
                    "open timeout", () -> store.closed);
            long revision = opening.call("opening " + address.path(), opening.deadline(), store::readRevision)
                    .getHeader().getRevision();
            if (store.cache != null) {
                store.watch(store.cache, store.cache, revision + 1);
            }
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** {@inheritDoc} A linearizable read of etcd, whose value a RELAXED store's cache takes too. */
    @Override
    public byte[] get(byte[] key) {
        ByteSequence ek = keys.key(key);
        GetResponse found = calls.call("get", calls.deadline(), () -> kv.get(ek));
        byte[] value = found.getKvs().isEmpty() ? null : found.getKvs().get(0).getValue().getBytes();
        if (cache != null) {
            cache.offer(key, value, found.getHeader().getRevision(), /* written= */ false);
        }
        return value;
    }

    /**
     * Returns the cached read of {@code key} in a RELAXED store with a cache, or null: on a miss,
     * while the cache's watch is not in place, and always in a STRICT store, which has no cache.
     */
    @Override
    public CachedRead cachedRead(String key) {
        return cache == null ? null : cache.cachedRead(key);
    }

    @Override
    public byte[] put(byte[] key, byte[] value) {
        ByteSequence ek = keys.key(key);
        ByteSequence v = ByteSequence.from(value);
        checkRequestBytes("put", ek.size() + v.size() + OP_OVERHEAD_BYTES);
        TxnResponse done = write("put", rec -> kv.txn()
                .If(RequestRecords.absent(rec))
                .Then(Op.put(ek, v, PREVIOUS_VALUE), RequestRecords.create(rec))
                .Else(RequestRecords.read(rec)));
        wrote(key, value, done);
        if (done.isSucceeded()) {
            PutResponse put = done.getPutResponses().get(0);
            return put.hasPrevKv() ? put.getPrevKv().getValue().getBytes() : null;
        }
        return valueBefore("put", ek, RequestRecords.committedAt(done));
    }

    @Override
    public byte[] delete(byte[] key) {
        ByteSequence ek = keys.key(key);
        TxnResponse done = write("delete", rec -> kv.txn()
                .If(RequestRecords.absent(rec))
                .Then(Op.delete(ek, PREVIOUS_VALUES), RequestRecords.create(rec))
                .Else(RequestRecords.read(rec)));
        wrote(key, null, done);
        if (done.isSucceeded()) {
            List<KeyValue> previous = done.getDeleteResponses().get(0).getPrevKvs();
            return previous.isEmpty() ? null : previous.get(0).getValue().getBytes();
        }
        return valueBefore("delete", ek, RequestRecords.committedAt(done));
    }

    @Override
    public boolean compareAndSet(byte[] key, byte[] expected, byte[] update) {
        ByteSequence ek = keys.key(key);
        // etcd compares the value of a missing key as false, so absence is tested by version.
        Cmp condition = expected == null ? new Cmp(ek, Cmp.Op.EQUAL, CmpTarget.version(0))
                : new Cmp(ek, Cmp.Op.EQUAL, CmpTarget.value(ByteSequence.from(expected)));
        Op op = update == null ? Op.delete(ek, DeleteOption.DEFAULT)
                : Op.put(ek, ByteSequence.from(update), PutOption.DEFAULT);
        checkRequestBytes("compareAndSet", ek.size() * 2 + length(expected) + length(update) + 2 * OP_OVERHEAD_BYTES);
        TxnResponse done = write("compareAndSet", rec -> kv.txn()
                .If(condition, RequestRecords.absent(rec))
                .Then(op, RequestRecords.create(rec))
                .Else(RequestRecords.read(rec)));
        // Failed conditions change nothing, so only a found record tells of an earlier success.
        boolean set = done.isSucceeded() || RequestRecords.committedAt(done) != 0;
        if (set) {
            wrote(key, update, done);
        }
        return set;
    }

    @Override
    public void batch(List<StoreWrite> writes) {
        // etcd refuses a key twice in one transaction: keep each key's last write.
        TreeMap<byte[], StoreWrite> lastWrites = new TreeMap<>(Arrays::compareUnsigned);
        for (StoreWrite write : writes) {
            keys.key(write.key());
            lastWrites.put(write.key(), write);
        }
        if (lastWrites.isEmpty()) {
            return;
        }
        if (lastWrites.size() > MAX_BATCH_KEYS) {
            throw new IllegalArgumentException("A batch on etcd writes at most " + MAX_BATCH_KEYS + " distinct keys "
                    + "(etcd's limit of 128 operations per transaction, one of which records the request); this one "
                    + "writes " + lastWrites.size() + ", and nothing was written");
        }
        List<Op> ops = new ArrayList<>(lastWrites.size() + 1);
        long bytes = 0;
        for (StoreWrite write : lastWrites.values()) {
            ByteSequence ek = keys.key(write.key());
            if (write.isDelete()) {
                ops.add(Op.delete(ek, DeleteOption.DEFAULT));
            } else {
                ByteSequence v = ByteSequence.from(write.value());
                ops.add(Op.put(ek, v, PutOption.DEFAULT));
                bytes += v.size();
            }
            bytes += ek.size() + OP_OVERHEAD_BYTES;
        }
        checkRequestBytes("batch", bytes);
        TxnResponse done = write("batch", rec -> {
            Op[] then = ops.toArray(new Op[ops.size() + 1]);
            then[ops.size()] = RequestRecords.create(rec);
            return kv.txn().If(RequestRecords.absent(rec)).Then(then).Else(RequestRecords.read(rec));
        });
        for (StoreWrite write : lastWrites.values()) {
            wrote(write.key(), write.value(), done);
        }
    }

    @Override
    public StoreEntry navigate(byte[] key, Relation relation) {
        KeyRange range = key == null ? KeyRange.ALL : switch (relation) {
            case CEILING -> new KeyRange(key, true, null, false);
            case HIGHER -> new KeyRange(key, false, null, false);
            case FLOOR -> new KeyRange(null, false, key, true);
            case LOWER -> new KeyRange(null, false, key, false);
        };
        List<StoreEntry> found = scan(range, !relation.ascending(), 1);
        return found.isEmpty() ? null : found.get(0);
    }

    @Override
    public List<StoreEntry> scan(KeyRange range, boolean descending, int limit) {
        ByteSequence[] bounds = keys.bounds(range);
        if (bounds == null || limit <= 0) {
            return List.of();
        }
        GetOption.Builder option = GetOption.builder().withRange(bounds[1]).withLimit(Math.min(limit, MAX_PAGE));
        if (descending) {
            option.withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.DESCEND);
        }
        GetOption built = option.build();
        GetResponse page = calls.call("scan", calls.deadline(), () -> kv.get(bounds[0], built));
        List<StoreEntry> entries = new ArrayList<>(page.getKvs().size());
        for (KeyValue e : page.getKvs()) {
            entries.add(new StoreEntry(keys.mapKey(e.getKey()), e.getValue().getBytes()));
        }
        return entries;
    }

    @Override
    public long count(KeyRange range) {
        ByteSequence[] bounds = keys.bounds(range);
        if (bounds == null) {
            return 0;
        }
        GetOption option = GetOption.builder().withRange(bounds[1]).withCountOnly(true).build();
        return calls.call("count", calls.deadline(), () -> kv.get(bounds[0], option)).getCount();
    }

    /** Always {@link Role#LEADER}: every process reads and writes etcd directly, with the same guarantees. */
    @Override
    public Role role() {
        return Role.LEADER;
    }

    /**
     * Watches the map's keys from the revision current now; see the class comment for gaps. The
     * listener is called on a thread of the etcd client.
     */
    @Override
    public Subscription subscribe(ChangeListener listener) {
        return watch(listener, WatchFeed.Health.NONE, currentRevision() + 1);
    }

    /**
     * Returns this process's {@link Role#LEADER LEADER} role, its writes and, in a RELAXED store
     * with a cache, the cache's counts; the other counts are 0.
     */
    @Override
    public PartyStats stats() {
        long pid = ProcessHandle.current().pid();
        if (cache == null) {
            return new PartyStats(Role.LEADER, pid, 0, 0, 0, 0, committedWrites.sum(), 0, 0, 0, -1);
        }
        CacheStats counts = cache.stats();
        return new PartyStats(Role.LEADER, pid, counts.hitCount(), counts.missCount(), counts.evictionCount(),
                cache.size(), committedWrites.sum(), 0, 0, 0, -1);
    }

    /** Starts a watch of the map's keys from {@code revision} for {@code listener}, until closed. */
    private Subscription watch(ChangeListener listener, WatchFeed.Health health, long revision) {
        WatchFeed feed = new WatchFeed(client.getWatchClient(), keys, listener, health, revision, watchRestarts);
        feeds.add(feed);
        feed.start();
        return () -> {
            feeds.remove(feed);
            feed.close();
        };
    }

    @Override
    public void close() {
        synchronized (feeds) {
            // Once only: the shared client counts one release per store.
            if (closed) {
                return;
            }
            closed = true;
        }
        feeds.forEach(WatchFeed::close);
        watchRestarts.shutdownNow();
        SharedClients.release(address.endpoints());
    }

    @Override
    public String toString() {
        return "EtcdStore(" + address + ")";
    }

    /** Sends the write transaction {@code txn} builds for a new request record until it commits once. */
    private TxnResponse write(String what, Function<RequestRecords.Record, Txn> txn) {
        long deadline = calls.deadline();
        RequestRecords.Record rec = records.next(seconds -> calls.call("granting the lease of request records",
                deadline, () -> client.getLeaseClient().grant(seconds)).getID());
        TxnResponse done = calls.call(what, deadline, () -> txn.apply(rec).commit());
        if (done.isSucceeded() || RequestRecords.committedAt(done) != 0) {
            committedWrites.increment();
        }
        return done;
    }

    /**
     * Gives the value of {@code key} (null: deleted) that the committed write {@code done} wrote
     * to the cache, as of the write's revision, before the write returns: read-your-writes.
     */
    private void wrote(byte[] key, byte[] value, TxnResponse done) {
        if (cache != null) {
            // An earlier attempt committed the write if this one found its record.
            long revision = done.isSucceeded() ? done.getHeader().getRevision() : RequestRecords.committedAt(done);
            cache.offer(key, value, revision, /* written= */ true);
        }
    }

    /** Returns the value {@code ek} had just before {@code revision}, when an earlier attempt of a write committed. */
    private byte[] valueBefore(String what, ByteSequence ek, long revision) {
        GetOption before = GetOption.builder().withRevision(revision - 1).build();
        try {
            GetResponse found = calls.call(what + " (reading the value it replaced)", calls.deadline(),
                    () -> kv.get(ek, before));
            return found.getKvs().isEmpty() ? null : found.getKvs().get(0).getValue().getBytes();
        } catch (PartyException e) {
            if (RetryingCalls.isCompaction(e.getCause())) {
                throw new PartyException("The " + what + " was applied once, at etcd revision " + revision
                        + ", but etcd has compacted the value it replaced, so it cannot be returned", e);
            }
            throw e;
        }
    }

    private java.util.concurrent.CompletableFuture<GetResponse> readRevision() {
        return kv.get(keys.start(), GetOption.builder().withCountOnly(true).build());
    }

    private long currentRevision() {
        return calls.call("reading the current revision", calls.deadline(), this::readRevision)
                .getHeader().getRevision();
    }

    private void checkRequestBytes(String what, long bytes) {
        long total = bytes + records.requestBytes();
        if (total > MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException("etcd takes at most " + MAX_REQUEST_BYTES + " bytes per request (its "
                    + "default --max-request-bytes, 1.5 MiB); this " + what + " needs about " + total
                    + ", and nothing was written");
        }
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }
}
