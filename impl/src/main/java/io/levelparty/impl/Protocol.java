package io.levelparty.impl;

import io.levelparty.PartyFollower;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * The protocol a leader and its followers speak over the Unix socket: this javadoc is its
 * specification, and this class its only encoder and decoder.
 *
 * <h2>Connection</h2>
 * A follower process opens one stream connection to the leader's socket and shares it among all its
 * threads; a follower that caches reads under {@code STRICT} consistency opens a second one, its
 * lease connection (see Leases below). It sends {@link MessageType#HELLO} first and waits for {@link MessageType#HELLO_REPLY};
 * after an accepting reply it sends requests, many at a time without waiting (pipelining). Every
 * request carries a request id chosen by the follower, unique among its requests in flight; the reply
 * echoes it. The leader may reply in any order (this leader replies in request order), and may send
 * push messages between replies. Either side ends the connection by closing it.
 *
 * <h2>Frames</h2>
 * Every message is one frame: a 4-byte header, then the body. The header is a Chronicle Wire
 * document header, a little-endian {@code int} whose low 30 bits are the body length in bytes and
 * whose top two bits (Chronicle's "not complete" and "meta data" flags) are zero. The body length is
 * 1 to {@value #MAX_FRAME_BYTES} bytes (16 MiB); both sides refuse to send a longer frame, and a
 * peer that announces one, sets a flag, or sends anything that does not decode exactly as below
 * (unknown type, wrong value type, missing or trailing bytes) is cut off: its connection is closed
 * and nothing it sent in that frame takes effect.
 *
 * <p>The body is a field-less Chronicle Wire binary document: a sequence of typed values, in the
 * order listed for its type, each encoded as Chronicle's {@code BinaryWire} writes it (the tests
 * check this byte for byte). {@link FrameBuffer} and {@link FrameBody} encode and decode them
 * directly: Chronicle's own library costs a process a third of a second at start-up, loads
 * native code through JNA and jnr-ffi, and asks for a dozen JVM flags, for what is a few typed
 * values.
 * <pre>
 *   int8         0xA4, 1 byte
 *   int32        0xA6, 4 bytes little-endian
 *   int64        0xA7, 8 bytes little-endian
 *   bool         0xB1 true, 0xB0 false
 *   bytes        0x80 n:u8 | 0x81 n:u16 | 0x82 n:u32, then 0x8A and n-1 bytes (n counts the 0x8A)
 *   bytes?       bytes, or 0xBB for null
 *   uuid         0xA0, the most then the least significant 8 bytes, each little-endian
 *   text         0xE0+n and n bytes (n &lt; 32), or 0xB8, n as a stop-bit number, and n bytes:
 *                Chronicle's UTF-8, which encodes each UTF-16 unit on its own in 1 to 3 bytes
 * </pre>
 * The first value of every body is the message type, an int8. Decoding is strict: each value must
 * carry exactly the code above (Chronicle's own readers convert between types and read past the
 * end of a document as defaults, which would let a malformed frame through).
 *
 * <h2>Messages</h2>
 * Version {@value #VERSION}. Requests, from the follower; {@code id} is the request id (int64):
 * <pre>
 *   HELLO       1   version:int32 clientId:uuid pid:int64 syncWrites:bool   first frame, once
 *   GET        10   id key:bytes                                   → VALUE
 *   PUT        11   id seq:int64 ackedUpTo:int64 key:bytes value:bytes        → VALUE (previous)
 *   DELETE     12   id seq ackedUpTo key:bytes                     → VALUE (previous)
 *   CAS        13   id seq ackedUpTo key:bytes expected:bytes? update:bytes?  → FLAG
 *   BATCH      14   id seq ackedUpTo n:int32 then n × (key:bytes value:bytes?) → DONE
 *   NAVIGATE   15   id key:bytes? relation:int8                    → ENTRY
 *   SCAN       16   id low:bytes? lowInclusive:bool high:bytes? highInclusive:bool
 *                   descending:bool limit:int32                    → PAGE
 *   COUNT      17   id low:bytes? lowInclusive:bool high:bytes? highInclusive:bool → NUMBER
 *   PING       18   id                                             → DONE
 *   SUBSCRIBE  19   id                                             → DONE, then EVENT pushes
 *   LEASE      20   id                                             → GRANT, then HEARTBEAT and
 *                                                                    INVALIDATE pushes
 *   ACK        21   seq:int64                                      no reply; lease connections only
 *   BIND       22   id token:int64                                 → DONE
 *   BACKUP     23   id destination:text                            → DONE, once the copy is whole
 *   COMPACT    24   id low:bytes? lowInclusive:bool high:bytes? highInclusive:bool → DONE
 *   FOLLOWERS  25   id                                             → FOLLOWER_LIST
 *   PEEK       26   id key:bytes                                   → VALUE: a GET that the follower
 *                                                                    will not cache, so the leader
 *                                                                    records no cache holder for it
 * </pre>
 * Replies, from the leader:
 * <pre>
 *   HELLO_REPLY  2   accepted:bool version:int32 pid:int64 message:text
 *   VALUE       40   id value:bytes?
 *   FLAG        41   id flag:bool
 *   DONE        42   id
 *   ENTRY       43   id key:bytes? value:bytes?                     both null when there is none
 *   PAGE        44   id n:int32 then n × (key:bytes value:bytes)
 *   NUMBER      45   id count:int64
 *   ERROR       46   id kind:int8 message:text                      instead of any reply above
 *   CACHEABLE   47   id value:bytes?                                VALUE that may be cached
 *   GRANT       48   id token:int64 leaseNanos:int64
 *   FOLLOWER_LIST 49 id n:int32 then n × (pid:int64 uid:int64 caching:bool connectedMillis:int64)
 * </pre>
 * Pushes, from the leader, unasked and unanswered: codes 64 to 127. A follower skips a push it
 * does not know, so new pushes need no new version.
 * <pre>
 *   EVENT       65   seq:int64 n:int32 then n × (key:bytes value:bytes?)   one committed write
 *   INVALIDATE  64   seq:int64 stamp:int64 n:int32 then n × key:bytes  lease connections only
 *   EVENTS_LOST 66                                                 EVENTs were dropped here
 *   HEARTBEAT   67   stamp:int64                                    lease connections only
 * </pre>
 *
 * <h2>Fields</h2>
 * <ul>
 *   <li>HELLO's layout up to {@code version}, and HELLO_REPLY's whole layout, stay the same in
 *       every version, so that any two versions can refuse each other clearly. {@code clientId} is
 *       random per follower process incarnation; {@code pid} is the sender's process id;
 *       {@code syncWrites} asks the leader to sync LevelDB's log before it answers each of this
 *       connection's writes ({@link io.levelparty.PartyOptions#syncWrites}).
 *   <li>The leader refuses (HELLO_REPLY with {@code accepted} false and a message, then closes) a
 *       peer of another protocol version, and a peer whose user id, from the socket's peer
 *       credentials, is neither the leader's own nor configured as allowed.
 *   <li>{@code seq} numbers a follower's writes, from 1, stable when the same write is resent on a
 *       later connection; {@code ackedUpTo} says the follower has received the replies to all its
 *       writes up to that number. Both exist for exactly-once writes across failover; a write with
 *       seq {@value #UNSEQUENCED} is not numbered. The leader applies a numbered write once: it
 *       stores the write's outcome under the client's id and seq in the same LevelDB batch, answers
 *       a resent copy from that record, and deletes the records up to {@code ackedUpTo} (see
 *       {@link ClientRecords}).
 *   <li>{@code relation} is a {@link Relation} ordinal: 0 CEILING, 1 HIGHER, 2 FLOOR, 3 LOWER; a
 *       null key stands beyond every key, as in {@link io.levelparty.spi.PartyStore#navigate}.
 *   <li>A null range bound is unbounded; {@code limit} is positive. A PAGE may hold fewer entries
 *       than the limit (the leader caps pages by size), and is empty only at the end of the range.
 *   <li>After DONE answers SUBSCRIBE, the leader pushes an EVENT for every write it commits, in
 *       commit order, until the connection ends: {@code seq} numbers the write in this leader's
 *       term, and each of its changes is a key and its new value, null for a removal. It never
 *       blocks a write for a follower: when a follower takes EVENTs too slowly, the leader drops
 *       them and pushes EVENTS_LOST before the next EVENT it sends.
 *   <li>GET is answered with CACHEABLE only on the main connection of a follower that holds a
 *       lease, and only if no write to a key that may share the read key's stripe was in progress
 *       at any moment of the read (see {@link CacheCoherence}); otherwise with VALUE.
 *   <li>{@code kind} is an {@link ErrorKind} code; {@code message} says what went wrong. Keys
 *       starting with byte 0xFF are reserved for the leader's own records: GET, PUT, DELETE, CAS or
 *       BATCH naming one gets ERROR ILLEGAL_ARGUMENT, and a BATCH with one applies none of its writes.
 * </ul>
 *
 * <h2>Leases</h2>
 * A follower that caches reads under {@code STRICT} consistency opens a second connection and
 * sends LEASE as its first request. The leader answers GRANT, with a token naming the lease and
 * the lease length, or ERROR UNAVAILABLE when it serves no more leases; after GRANT the connection
 * carries only HEARTBEAT and INVALIDATE from the leader and ACK from the follower. The follower then
 * sends BIND with the token on its main connection, which the leader answers DONE while the lease
 * lives (ERROR UNAVAILABLE otherwise): from then on GET on the main connection may be answered
 * CACHEABLE, and the lease's INVALIDATEs cover what it reads.
 * <ul>
 *   <li>{@code stamp} is the leader's {@code System.nanoTime()} when it wrote the frame; stamps
 *       never decrease along a connection. Every process on a Linux machine reads the same
 *       {@code CLOCK_MONOTONIC} there, which the follower checks with the first HEARTBEAT (whose
 *       stamp must fall between its LEASE request and the HEARTBEAT's arrival; it does not cache
 *       otherwise). The follower serves cached values only while the stamp of the last frame it
 *       processed, plus the lease length, is in the future.
 *   <li>INVALIDATE names keys that are about to be written; {@code seq} numbers the INVALIDATEs of
 *       the connection from 1. The follower drops from its cache every key of the stripes of the
 *       keys named ({@link CacheCoherence#stripeOf}, over {@link CacheCoherence#STRIPES} stripes),
 *       and will not cache a read of those stripes that it asked for before, then sends ACK with the
 *       highest {@code seq} it has processed: one ACK may answer many INVALIDATEs. Once it has, the
 *       leader takes it to hold nothing of those stripes until it reads one of their keys again.
 *   <li>The leader applies the write only once every follower whose cache may hold one of the keys
 *       has acknowledged, or has closed its lease connection, or has been cut off: after a
 *       deadline longer than the lease the leader closes its lease connection and waits until the
 *       stamp of the last frame it sent, plus the lease length, has passed.
 *   <li>The follower closes its lease connection only after it has stopped serving cached values,
 *       and stops using its main connection when its lease connection ends, and the other way round.
 * </ul>
 *
 * <h2>Limits</h2>
 * <ul>
 *   <li>A frame body holds at most {@value #MAX_FRAME_BYTES} bytes, so keys and values are smaller.
 *       A follower refuses to send a larger request ({@link FrameTooLargeException}, an
 *       {@link IllegalArgumentException}, with the connection untouched); the leader answers a
 *       request whose reply would be larger with ERROR RESULT_TOO_LARGE. After PUT or DELETE that
 *       error means the write was applied but the previous value could not be sent.
 *   <li>The leader cuts a PAGE to what fits a frame; it answers RESULT_TOO_LARGE only when the
 *       first entry alone does not fit.
 *   <li>The leader closes a connection that sends no HELLO within
 *       {@link PeerLimits#handshakeTimeout()}, one whose frame stays incomplete for longer than
 *       {@link PeerLimits#partialFrameTimeout()}, and one that takes no reply for as long. A
 *       follower waits for each reply, the handshake's included, at most its request timeout.
 * </ul>
 */
final class Protocol {
    /** The protocol version this code speaks. */
    static final int VERSION = 5;
    /** Bytes of the frame header. */
    static final int HEADER_BYTES = 4;
    /** The largest frame body either side sends or accepts. */
    static final int MAX_FRAME_BYTES = 16 << 20;
    /**
     * The most bytes a value may encode to, in every process: two of them (a compare-and-set's
     * expected and new value), their key and the rest of the request fit one frame.
     */
    static final int MAX_VALUE_BYTES = (MAX_FRAME_BYTES >> 1) - (64 << 10);
    /** The {@code seq} of a write that is not numbered for exactly-once delivery. */
    static final long UNSEQUENCED = 0;

    /** Chronicle's document header flags ("not complete", "meta data"); a frame has neither. */
    private static final int HEADER_FLAGS = 0xC0000000;
    private static final int FIRST_PUSH_CODE = 64;
    private static final int LAST_PUSH_CODE = 127;
    /** The longest header of a bytes value: 0x82, a 4-byte length, 0x8A. */
    private static final int MAX_BYTES_OVERHEAD = 6;
    private static final Relation[] RELATIONS = Relation.values();
    /** The least bytes a BATCH write takes: an empty key (3 bytes) and a null value (1). */
    private static final int MIN_WRITE_BYTES = 4;
    /** The least bytes an INVALIDATE key takes: an empty key. */
    private static final int MIN_KEY_BYTES = 3;
    /** The bytes a FOLLOWER_LIST entry takes: three int64 and a bool. */
    private static final int MIN_FOLLOWER_BYTES = 28;
    /** The least bytes a PAGE entry takes: an empty key and an empty value, 3 bytes each. */
    private static final int MIN_ENTRY_BYTES = 6;

    private Protocol() {}

    /** The value codes of the body encoding (see Frames). */
    static final class Code {
        static final int BYTES_LENGTH8 = 0x80;
        static final int BYTES_LENGTH16 = 0x81;
        static final int BYTES_LENGTH32 = 0x82;
        static final int U8_ARRAY = 0x8A;
        static final int UUID = 0xA0;
        static final int INT8 = 0xA4;
        static final int INT32 = 0xA6;
        static final int INT64 = 0xA7;
        static final int FALSE = 0xB0;
        static final int TRUE = 0xB1;
        static final int STRING_ANY = 0xB8;
        static final int NULL = 0xBB;
        static final int STRING_0 = 0xE0;
        static final int STRING_31 = 0xFF;

        private Code() {}
    }

    /** The type of a frame: its first value. */
    enum MessageType {
        HELLO(1), HELLO_REPLY(2),
        GET(10), PUT(11), DELETE(12), CAS(13), BATCH(14), NAVIGATE(15), SCAN(16), COUNT(17), PING(18),
        SUBSCRIBE(19), LEASE(20), ACK(21), BIND(22), BACKUP(23), COMPACT(24), FOLLOWERS(25), PEEK(26),
        VALUE(40), FLAG(41), DONE(42), ENTRY(43), PAGE(44), NUMBER(45), ERROR(46), CACHEABLE(47), GRANT(48),
        FOLLOWER_LIST(49),
        INVALIDATE(64), EVENT(65), EVENTS_LOST(66), HEARTBEAT(67);

        private static final MessageType[] BY_CODE = new MessageType[LAST_PUSH_CODE + 1];

        static {
            for (MessageType type : values()) {
                BY_CODE[type.code] = type;
            }
        }

        final byte code;

        MessageType(int code) {
            this.code = (byte) code;
        }

        /** Returns the type with {@code code}, or {@code null}. */
        static MessageType of(int code) {
            return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        }
    }

    /** Why the leader answered a request with ERROR; the follower throws the matching exception. */
    enum ErrorKind {
        /** The store refused an argument: {@link IllegalArgumentException}. */
        ILLEGAL_ARGUMENT(1),
        /** The store refused a null: {@link NullPointerException}. */
        NULL_POINTER(2),
        /** The reply would exceed {@link #MAX_FRAME_BYTES}: {@link io.levelparty.PartyException}. */
        RESULT_TOO_LARGE(3),
        /** The store could not reach its data: {@link io.levelparty.PartyUnavailableException}. */
        UNAVAILABLE(4),
        /** The store failed, for example a LevelDB error: {@link io.levelparty.PartyException}. */
        STORE_FAILED(5),
        /** The leader failed unexpectedly: {@link io.levelparty.PartyException}. */
        INTERNAL(6);

        final byte code;

        ErrorKind(int code) {
            this.code = (byte) code;
        }

        /** Returns the kind with {@code code}, or {@code null}. */
        static ErrorKind of(int code) {
            for (ErrorKind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            return null;
        }
    }

    /** A follower's handshake. {@code clientId} is null and {@code pid} -1 when the version differs. */
    record Hello(int version, UUID clientId, long pid, boolean syncWrites) {}

    /** The leader's handshake answer. */
    record HelloReply(boolean accepted, int version, long pid, String message) {}

    /** A decoded request: one instance per connection, overwritten by each {@link #readRequest}. */
    static final class Request {
        MessageType type;
        /** The request id; ACK's seq. */
        long id;
        long seq;
        long ackedUpTo;
        /** BIND's lease token. */
        long token;
        /** BACKUP's destination directory. */
        String destination;
        /** The key of GET, PUT, DELETE, CAS and NAVIGATE (null for NAVIGATE beyond every key). */
        byte[] key;
        /** PUT's value, CAS's expected value. */
        byte[] value;
        /** CAS's update. */
        byte[] update;
        List<StoreWrite> writes;
        Relation relation;
        KeyRange range;
        boolean descending;
        int limit;
    }

    /** A decoded reply: one instance per connection, overwritten by each {@link #readReply}. */
    static final class Reply {
        MessageType type;
        long id;
        /** VALUE's value; ENTRY's value. */
        byte[] value;
        /** ENTRY's key. */
        byte[] key;
        boolean flag;
        /** EVENT's writes. */
        List<StoreWrite> writes;
        /** INVALIDATE's keys. */
        List<byte[]> keys;
        List<StoreEntry> entries;
        List<PartyFollower> followers;
        /** NUMBER's count; EVENT's and INVALIDATE's sequence. */
        long count;
        /** INVALIDATE's and HEARTBEAT's stamp. */
        long stamp;
        /** GRANT's lease token and length. */
        long token;
        long leaseNanos;
        ErrorKind errorKind;
        String message;
    }

    // ---------------------------------------------------------------- writing

    static void writeHello(FrameBuffer out, UUID clientId, long pid, boolean syncWrites) {
        int start = beginFrame(out, MessageType.HELLO);
        out.int32(VERSION);
        out.uuid(clientId);
        out.int64(pid);
        out.bool(syncWrites);
        endFrame(out, start);
    }

    static void writeHelloReply(FrameBuffer out, boolean accepted, long pid, String message) {
        int start = beginFrame(out, MessageType.HELLO_REPLY);
        out.bool(accepted);
        out.int32(VERSION);
        out.int64(pid);
        out.text(message);
        endFrame(out, start);
    }

    static void writeGet(FrameBuffer out, long id, byte[] key) {
        writeRead(out, MessageType.GET, id, key);
    }

    /** Writes a GET, or with {@code type} PEEK a read the follower will not cache. */
    static void writeRead(FrameBuffer out, MessageType type, long id, byte[] key) {
        checkPayload(key.length);
        int start = beginFrameWithId(out, type, id);
        out.bytes(key);
        endFrame(out, start);
    }

    static void writePut(FrameBuffer out, long id, long seq, long ackedUpTo, byte[] key, byte[] value) {
        checkPayload((long) key.length + value.length);
        int start = beginWrite(out, MessageType.PUT, id, seq, ackedUpTo);
        out.bytes(key);
        out.bytes(value);
        endFrame(out, start);
    }

    static void writeDelete(FrameBuffer out, long id, long seq, long ackedUpTo, byte[] key) {
        checkPayload(key.length);
        int start = beginWrite(out, MessageType.DELETE, id, seq, ackedUpTo);
        out.bytes(key);
        endFrame(out, start);
    }

    static void writeCompareAndSet(
            FrameBuffer out, long id, long seq, long ackedUpTo, byte[] key, byte[] expected, byte[] update) {
        checkPayload((long) key.length + lengthOf(expected) + lengthOf(update));
        int start = beginWrite(out, MessageType.CAS, id, seq, ackedUpTo);
        out.bytes(key);
        out.nullableBytes(expected);
        out.nullableBytes(update);
        endFrame(out, start);
    }

    static void writeBatch(FrameBuffer out, long id, long seq, long ackedUpTo, List<StoreWrite> writes) {
        checkPayload(payloadOf(writes));
        int start = beginWrite(out, MessageType.BATCH, id, seq, ackedUpTo);
        writeWrites(out, writes);
        endFrame(out, start);
    }

    private static long payloadOf(List<StoreWrite> writes) {
        long payload = 0;
        for (StoreWrite write : writes) {
            payload += write.key().length + lengthOf(write.value());
        }
        return payload;
    }

    private static void writeWrites(FrameBuffer out, List<StoreWrite> writes) {
        out.int32(writes.size());
        for (StoreWrite write : writes) {
            out.bytes(write.key());
            out.nullableBytes(write.value());
        }
    }

    static void writeNavigate(FrameBuffer out, long id, byte[] key, Relation relation) {
        checkPayload(lengthOf(key));
        int start = beginFrameWithId(out, MessageType.NAVIGATE, id);
        out.nullableBytes(key);
        out.int8((byte) relation.ordinal());
        endFrame(out, start);
    }

    static void writeScan(FrameBuffer out, long id, KeyRange range, boolean descending, int limit) {
        checkPayload((long) lengthOf(range.low()) + lengthOf(range.high()));
        int start = beginFrameWithId(out, MessageType.SCAN, id);
        writeRange(out, range);
        out.bool(descending);
        out.int32(limit);
        endFrame(out, start);
    }

    static void writeCount(FrameBuffer out, long id, KeyRange range) {
        writeRangeRequest(out, MessageType.COUNT, id, range);
    }

    private static void writeRangeRequest(FrameBuffer out, MessageType type, long id, KeyRange range) {
        checkPayload((long) lengthOf(range.low()) + lengthOf(range.high()));
        int start = beginFrameWithId(out, type, id);
        writeRange(out, range);
        endFrame(out, start);
    }

    static void writeBackup(FrameBuffer out, long id, String destination) {
        int start = beginFrameWithId(out, MessageType.BACKUP, id);
        out.text(destination);
        endFrame(out, start);
    }

    static void writeCompact(FrameBuffer out, long id, KeyRange range) {
        writeRangeRequest(out, MessageType.COMPACT, id, range);
    }

    static void writePing(FrameBuffer out, long id) {
        endFrame(out, beginFrameWithId(out, MessageType.PING, id));
    }

    static void writeFollowers(FrameBuffer out, long id) {
        endFrame(out, beginFrameWithId(out, MessageType.FOLLOWERS, id));
    }

    static void writeFollowerList(FrameBuffer out, long id, List<PartyFollower> followers) {
        writeList(out, MessageType.FOLLOWER_LIST, id, followers, (o, f) -> {
            o.int64(f.pid());
            o.int64(f.uid());
            o.bool(f.caching());
            o.int64(f.connected().toMillis());
        });
    }

    /** Writes a reply of {@code type} whose values after its id are a count and {@code elements}. */
    private static <T> void writeList(
            FrameBuffer out, MessageType type, long id, List<T> elements, BiConsumer<FrameBuffer, T> element) {
        int start = beginFrameWithId(out, type, id);
        out.int32(elements.size());
        for (T e : elements) {
            element.accept(out, e);
        }
        endFrame(out, start);
    }

    static void writeSubscribe(FrameBuffer out, long id) {
        endFrame(out, beginFrameWithId(out, MessageType.SUBSCRIBE, id));
    }

    static void writeEvent(FrameBuffer out, long seq, List<StoreWrite> writes) {
        checkPayload(payloadOf(writes));
        int start = beginFrame(out, MessageType.EVENT);
        out.int64(seq);
        writeWrites(out, writes);
        endFrame(out, start);
    }

    static void writeLease(FrameBuffer out, long id) {
        endFrame(out, beginFrameWithId(out, MessageType.LEASE, id));
    }

    static void writeBind(FrameBuffer out, long id, long token) {
        writeOneInt64(out, MessageType.BIND, id, token);
    }

    static void writeGrantReply(FrameBuffer out, long id, long token, long leaseNanos) {
        int start = beginFrameWithId(out, MessageType.GRANT, id);
        out.int64(token);
        out.int64(leaseNanos);
        endFrame(out, start);
    }

    static void writeAck(FrameBuffer out, long seq) {
        endFrame(out, beginFrameWithId(out, MessageType.ACK, seq));
    }

    /**
     * Writes INVALIDATE.
     *
     * @throws FrameTooLargeException if the keys do not fit one frame: see {@link #keysThatFit}
     */
    static void writeInvalidate(FrameBuffer out, long seq, long stamp, List<byte[]> keys) {
        int start = beginFrame(out, MessageType.INVALIDATE);
        out.int64(seq);
        out.int64(stamp);
        out.int32(keys.size());
        for (byte[] key : keys) {
            out.bytes(key);
        }
        endFrame(out, start);
    }

    static void writeHeartbeat(FrameBuffer out, long stamp) {
        int start = beginFrame(out, MessageType.HEARTBEAT);
        out.int64(stamp);
        endFrame(out, start);
    }

    static void writeEventsLost(FrameBuffer out) {
        endFrame(out, beginFrame(out, MessageType.EVENTS_LOST));
    }

    static void writeValueReply(FrameBuffer out, long id, byte[] value) {
        writeValueReply(out, id, value, false);
    }

    /** Writes VALUE, or CACHEABLE if {@code cacheable}. */
    static void writeValueReply(FrameBuffer out, long id, byte[] value, boolean cacheable) {
        checkPayload(lengthOf(value));
        int start = beginFrameWithId(out, cacheable ? MessageType.CACHEABLE : MessageType.VALUE, id);
        out.nullableBytes(value);
        endFrame(out, start);
    }

    static void writeFlagReply(FrameBuffer out, long id, boolean flag) {
        int start = beginFrameWithId(out, MessageType.FLAG, id);
        out.bool(flag);
        endFrame(out, start);
    }

    static void writeDoneReply(FrameBuffer out, long id) {
        endFrame(out, beginFrameWithId(out, MessageType.DONE, id));
    }

    static void writeEntryReply(FrameBuffer out, long id, StoreEntry entry) {
        byte[] key = entry == null ? null : entry.key();
        byte[] value = entry == null ? null : entry.value();
        checkPayload((long) lengthOf(key) + lengthOf(value));
        int start = beginFrameWithId(out, MessageType.ENTRY, id);
        out.nullableBytes(key);
        out.nullableBytes(value);
        endFrame(out, start);
    }

    /** Writes a PAGE of {@code entries}; see {@link #entriesThatFit} to keep it within a frame. */
    static void writePageReply(FrameBuffer out, long id, List<StoreEntry> entries) {
        writeList(out, MessageType.PAGE, id, entries, (o, entry) -> {
            o.bytes(entry.key());
            o.bytes(entry.value());
        });
    }

    static void writeCountReply(FrameBuffer out, long id, long count) {
        writeOneInt64(out, MessageType.NUMBER, id, count);
    }

    /** Writes a message of {@code type} whose only value after its id is {@code value}. */
    private static void writeOneInt64(FrameBuffer out, MessageType type, long id, long value) {
        int start = beginFrameWithId(out, type, id);
        out.int64(value);
        endFrame(out, start);
    }

    static void writeErrorReply(FrameBuffer out, long id, ErrorKind kind, String message) {
        int start = beginFrameWithId(out, MessageType.ERROR, id);
        out.int8(kind.code);
        out.text(message);
        endFrame(out, start);
    }

    /**
     * Returns how many leading {@code entries} a PAGE can carry within {@link #MAX_FRAME_BYTES}:
     * counted with the largest encoding overhead, so the answer is safe if not always the most.
     */
    static int entriesThatFit(List<StoreEntry> entries) {
        long size = 64; // type, id, count and slack
        for (int i = 0; i < entries.size(); i++) {
            StoreEntry entry = entries.get(i);
            size += 2 * MAX_BYTES_OVERHEAD + entry.key().length + entry.value().length;
            if (size > MAX_FRAME_BYTES) {
                return i;
            }
        }
        return entries.size();
    }

    /** Returns how many of {@code keys}, from {@code from} on, fit one INVALIDATE frame (at least one). */
    static int keysThatFit(List<byte[]> keys, int from) {
        long size = 32; // type, seq, stamp, count
        int i = from;
        while (i < keys.size()) {
            size += MAX_BYTES_OVERHEAD + keys.get(i).length;
            if (size > MAX_FRAME_BYTES && i > from) {
                break;
            }
            i++;
        }
        return i - from;
    }

    private static int beginFrame(FrameBuffer out, MessageType type) {
        int start = out.beginFrame();
        out.int8(type.code);
        return start;
    }

    private static int beginFrameWithId(FrameBuffer out, MessageType type, long id) {
        int start = beginFrame(out, type);
        out.int64(id);
        return start;
    }

    private static int beginWrite(FrameBuffer out, MessageType type, long id, long seq, long ackedUpTo) {
        int start = beginFrameWithId(out, type, id);
        out.int64(seq);
        out.int64(ackedUpTo);
        return start;
    }

    /**
     * Completes the frame begun at {@code start}. A frame over the limit is taken back out of the
     * buffer, which is then as it was before the frame began.
     *
     * @throws FrameTooLargeException if the body exceeds {@link #MAX_FRAME_BYTES}
     */
    private static void endFrame(FrameBuffer out, int start) {
        int length = out.bodyLength(start);
        if (length > MAX_FRAME_BYTES) {
            out.dropFrame(start);
            throw tooLarge(length);
        }
        out.endFrame(start);
    }

    /** Fails fast, before any copying, when the byte arrays of a message alone exceed a frame. */
    private static void checkPayload(long payloadBytes) {
        if (payloadBytes > MAX_FRAME_BYTES) {
            throw tooLarge(payloadBytes);
        }
    }

    private static FrameTooLargeException tooLarge(long bytes) {
        return new FrameTooLargeException("A message of " + bytes + " bytes exceeds the protocol's maximum frame of "
                + MAX_FRAME_BYTES + " bytes: keys and values must be smaller");
    }

    private static int lengthOf(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static void writeRange(FrameBuffer out, KeyRange range) {
        out.nullableBytes(range.low());
        out.bool(range.lowInclusive());
        out.nullableBytes(range.high());
        out.bool(range.highInclusive());
    }

    // ---------------------------------------------------------------- framing

    /**
     * Returns the body length announced by the frame header {@code header}.
     *
     * @throws MalformedFrameException if the header sets a flag or announces an empty or oversized body
     */
    static int bodyLength(int header) throws MalformedFrameException {
        if ((header & HEADER_FLAGS) != 0) {
            throw new MalformedFrameException(
                    String.format("frame header 0x%08x sets Chronicle document flags", header));
        }
        if (header == 0 || header > MAX_FRAME_BYTES) {
            throw new MalformedFrameException("frame header announces " + header + " bytes; a frame body has 1 to "
                    + MAX_FRAME_BYTES);
        }
        return header;
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads a HELLO frame's body. Stops after the version if it is not {@link #VERSION}: the rest
     * belongs to that version's layout.
     */
    static Hello readHello(FrameBody in) throws MalformedFrameException {
        expectType(in, MessageType.HELLO);
        int version = readInt32(in);
        if (version != VERSION) {
            return new Hello(version, null, -1, false);
        }
        Hello hello = new Hello(version, readUuid(in), readInt64(in), readBoolean(in));
        expectEnd(in);
        return hello;
    }

    static HelloReply readHelloReply(FrameBody in) throws MalformedFrameException {
        expectType(in, MessageType.HELLO_REPLY);
        HelloReply reply = new HelloReply(readBoolean(in), readInt32(in), readInt64(in), readText(in));
        expectEnd(in);
        return reply;
    }

    /** Decodes a request frame's body into {@code into}, which keeps no state from earlier requests. */
    static void readRequest(FrameBody in, Request into) throws MalformedFrameException {
        MessageType type = readType(in);
        into.type = type;
        into.id = readInt64(in);
        into.seq = UNSEQUENCED;
        into.ackedUpTo = UNSEQUENCED;
        into.key = null;
        into.value = null;
        into.update = null;
        into.writes = null;
        into.relation = null;
        into.range = null;
        into.destination = null;
        switch (type) {
            case GET, PEEK -> into.key = readBytes(in);
            case PUT -> {
                readSequence(in, into);
                into.key = readBytes(in);
                into.value = readBytes(in);
            }
            case DELETE -> {
                readSequence(in, into);
                into.key = readBytes(in);
            }
            case CAS -> {
                readSequence(in, into);
                into.key = readBytes(in);
                into.value = readNullableBytes(in);
                into.update = readNullableBytes(in);
            }
            case BATCH -> {
                readSequence(in, into);
                into.writes = readWrites(in);
            }
            case NAVIGATE -> {
                into.key = readNullableBytes(in);
                int relation = readInt8(in);
                if (relation < 0 || relation >= RELATIONS.length) {
                    throw new MalformedFrameException("NAVIGATE with unknown relation " + relation);
                }
                into.relation = RELATIONS[relation];
            }
            case SCAN -> {
                into.range = readRange(in);
                into.descending = readBoolean(in);
                into.limit = readInt32(in);
                if (into.limit <= 0) {
                    throw new MalformedFrameException("SCAN with limit " + into.limit + "; it must be positive");
                }
            }
            case COUNT, COMPACT -> into.range = readRange(in);
            case BIND -> into.token = readInt64(in);
            case BACKUP -> into.destination = readText(in);
            case PING, SUBSCRIBE, LEASE, ACK, FOLLOWERS -> { }
            default -> throw new MalformedFrameException("unexpected " + type + " from a follower");
        }
        expectEnd(in);
    }

    /**
     * Decodes a frame from the leader into {@code into}: a reply, or a push (EVENT or EVENTS_LOST,
     * which have no id; {@code type} is null for a push this version does not know).
     *
     * @return false if the frame is a push
     */
    static boolean readReply(FrameBody in, Reply into) throws MalformedFrameException {
        int code = readInt8(in);
        if (code >= FIRST_PUSH_CODE && code <= LAST_PUSH_CODE) {
            readPush(in, MessageType.of(code), into);
            return false;
        }
        MessageType type = typeOf(code);
        into.type = type;
        into.id = readInt64(in);
        into.value = null;
        into.key = null;
        into.entries = null;
        into.followers = null;
        into.errorKind = null;
        into.message = null;
        switch (type) {
            case VALUE, CACHEABLE -> into.value = readNullableBytes(in);
            case FLAG -> into.flag = readBoolean(in);
            case DONE -> { }
            case ENTRY -> {
                into.key = readNullableBytes(in);
                into.value = readNullableBytes(in);
                if ((into.key == null) != (into.value == null)) {
                    throw new MalformedFrameException("ENTRY with only one of key and value");
                }
            }
            case PAGE -> {
                int n = readCount(in, MIN_ENTRY_BYTES);
                List<StoreEntry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    entries.add(new StoreEntry(readBytes(in), readBytes(in)));
                }
                into.entries = entries;
            }
            case NUMBER -> into.count = readInt64(in);
            case FOLLOWER_LIST -> {
                int n = readCount(in, MIN_FOLLOWER_BYTES);
                List<PartyFollower> followers = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    followers.add(new PartyFollower(readInt64(in), readInt64(in), readBoolean(in),
                            Duration.ofMillis(readInt64(in))));
                }
                into.followers = followers;
            }
            case GRANT -> {
                into.token = readInt64(in);
                into.leaseNanos = readInt64(in);
                if (into.leaseNanos <= 0) {
                    throw new MalformedFrameException("GRANT of a lease of " + into.leaseNanos + " ns");
                }
            }
            case ERROR -> {
                int kind = readInt8(in);
                into.errorKind = ErrorKind.of(kind);
                if (into.errorKind == null) {
                    throw new MalformedFrameException("ERROR of unknown kind " + kind);
                }
                into.message = readText(in);
            }
            default -> throw new MalformedFrameException("unexpected " + type + " from the leader");
        }
        expectEnd(in);
        return true;
    }

    private static void readPush(FrameBody in, MessageType type, Reply into) throws MalformedFrameException {
        into.type = type;
        into.writes = null;
        into.keys = null;
        if (type == MessageType.EVENT) {
            into.count = readInt64(in);
            into.writes = readWrites(in);
        } else if (type == MessageType.INVALIDATE) {
            into.count = readInt64(in);
            into.stamp = readInt64(in);
            int n = readCount(in, MIN_KEY_BYTES);
            List<byte[]> keys = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                keys.add(readBytes(in));
            }
            into.keys = keys;
        } else if (type == MessageType.HEARTBEAT) {
            into.stamp = readInt64(in);
        } else if (type != MessageType.EVENTS_LOST) {
            into.type = null;
            return; // unknown: skipped whole
        }
        expectEnd(in);
    }

    private static List<StoreWrite> readWrites(FrameBody in) throws MalformedFrameException {
        int n = readCount(in, MIN_WRITE_BYTES);
        List<StoreWrite> writes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            writes.add(new StoreWrite(readBytes(in), readNullableBytes(in)));
        }
        return writes;
    }

    private static void readSequence(FrameBody in, Request into) throws MalformedFrameException {
        into.seq = readInt64(in);
        into.ackedUpTo = readInt64(in);
    }

    private static KeyRange readRange(FrameBody in) throws MalformedFrameException {
        return new KeyRange(readNullableBytes(in), readBoolean(in), readNullableBytes(in), readBoolean(in));
    }

    private static MessageType readType(FrameBody in) throws MalformedFrameException {
        return typeOf(readInt8(in));
    }

    private static MessageType typeOf(int code) throws MalformedFrameException {
        MessageType type = MessageType.of(code);
        if (type == null) {
            throw new MalformedFrameException("unknown message type " + code);
        }
        return type;
    }

    private static void expectType(FrameBody in, MessageType expected) throws MalformedFrameException {
        MessageType type = readType(in);
        if (type != expected) {
            throw new MalformedFrameException("expected " + expected + " but got " + type);
        }
    }

    /**
     * Reads an element count, checked against the bytes left so that a forged count cannot make
     * the reader allocate more than the frame could hold.
     */
    private static int readCount(FrameBody in, int minElementBytes) throws MalformedFrameException {
        int n = readInt32(in);
        if (n < 0 || (long) n * minElementBytes > in.remaining()) {
            throw new MalformedFrameException("count " + n + " does not fit the " + in.remaining() + " bytes left");
        }
        return n;
    }

    private static int readInt8(FrameBody in) throws MalformedFrameException {
        expectCode(in, Code.INT8, "int8", 1);
        return in.readByte();
    }

    private static int readInt32(FrameBody in) throws MalformedFrameException {
        expectCode(in, Code.INT32, "int32", 4);
        return in.readInt();
    }

    private static long readInt64(FrameBody in) throws MalformedFrameException {
        expectCode(in, Code.INT64, "int64", 8);
        return in.readLong();
    }

    private static boolean readBoolean(FrameBody in) throws MalformedFrameException {
        int code = readCode(in, "bool");
        if (code == Code.TRUE) {
            return true;
        }
        if (code == Code.FALSE) {
            return false;
        }
        throw unexpectedCode(code, "bool");
    }

    private static UUID readUuid(FrameBody in) throws MalformedFrameException {
        expectCode(in, Code.UUID, "uuid", 16);
        long most = in.readLong();
        return new UUID(most, in.readLong());
    }

    private static byte[] readNullableBytes(FrameBody in) throws MalformedFrameException {
        if (in.remaining() > 0 && in.peekUnsignedByte() == Code.NULL) {
            in.readUnsignedByte();
            return null;
        }
        return readBytes(in);
    }

    private static byte[] readBytes(FrameBody in) throws MalformedFrameException {
        int code = readCode(in, "bytes");
        long n;
        if (code == Code.BYTES_LENGTH8) {
            require(in, 1, "bytes");
            n = in.readUnsignedByte();
        } else if (code == Code.BYTES_LENGTH16) {
            require(in, 2, "bytes");
            n = in.readUnsignedShort();
        } else if (code == Code.BYTES_LENGTH32) {
            require(in, 4, "bytes");
            n = in.readUnsignedInt();
        } else {
            throw unexpectedCode(code, "bytes");
        }
        if (n < 1) {
            throw new MalformedFrameException("bytes of length " + n + " lack their 0x8A code");
        }
        expectCode(in, Code.U8_ARRAY, "bytes", n - 1);
        return in.readBytes((int) (n - 1));
    }

    private static String readText(FrameBody in) throws MalformedFrameException {
        int code = readCode(in, "text");
        long n;
        if (code >= Code.STRING_0 && code <= Code.STRING_31) {
            n = code - Code.STRING_0;
        } else if (code == Code.STRING_ANY) {
            n = readStopBit(in);
        } else {
            throw unexpectedCode(code, "text");
        }
        require(in, n, "text");
        return in.readText((int) n);
    }

    /** Reads a non-negative stop-bit number (7 bits a byte, low first, high bit = more). */
    private static long readStopBit(FrameBody in) throws MalformedFrameException {
        long n = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            require(in, 1, "stop-bit number");
            int b = in.readUnsignedByte();
            n |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return n;
            }
        }
        throw new MalformedFrameException("stop-bit number too long");
    }

    private static void expectEnd(FrameBody in) throws MalformedFrameException {
        if (in.remaining() != 0) {
            throw new MalformedFrameException(in.remaining() + " unexpected bytes at the end of a frame");
        }
    }

    private static int readCode(FrameBody in, String what) throws MalformedFrameException {
        require(in, 1, what);
        return in.readUnsignedByte();
    }

    private static void expectCode(FrameBody in, int code, String what, long valueBytes) throws MalformedFrameException {
        int actual = readCode(in, what);
        if (actual != code) {
            throw unexpectedCode(actual, what);
        }
        require(in, valueBytes, what);
    }

    private static void require(FrameBody in, long bytes, String what) throws MalformedFrameException {
        if (in.remaining() < bytes) {
            throw new MalformedFrameException("the frame ends within a value of type " + what);
        }
    }

    private static MalformedFrameException unexpectedCode(int code, String what) {
        return new MalformedFrameException(
                String.format("expected a value of type %s but found code 0x%02x", what, code));
    }
}
