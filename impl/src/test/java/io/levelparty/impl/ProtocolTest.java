package io.levelparty.impl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.PartyFollower;
import io.levelparty.impl.Protocol.ErrorKind;
import io.levelparty.impl.Protocol.Hello;
import io.levelparty.impl.Protocol.HelloReply;
import io.levelparty.impl.Protocol.MessageType;
import io.levelparty.impl.Protocol.Reply;
import io.levelparty.impl.Protocol.Request;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.Relation;
import io.levelparty.spi.StoreEntry;
import io.levelparty.spi.StoreWrite;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.BinaryWire;
import net.openhft.chronicle.wire.ValueIn;
import net.openhft.chronicle.wire.ValueOut;
import net.openhft.chronicle.wire.Wires;
import org.junit.jupiter.api.Test;

class ProtocolTest {
    private static final byte[] KEY = "key".getBytes(UTF_8);
    private static final byte[] VALUE = "value".getBytes(UTF_8);

    /** Returns the bytes the writer puts on the wire. */
    private static byte[] encode(Consumer<FrameBuffer> writer) throws IOException {
        FrameBuffer buffer = new FrameBuffer();
        writer.accept(buffer);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        buffer.writeTo(out);
        return out.toByteArray();
    }

    /** Returns the body of the only frame in {@code frame}. */
    private static FrameBody body(byte[] frame) throws IOException {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(frame));
        FrameBody body = reader.next();
        assertFalse(reader.hasBufferedFrame());
        return body;
    }

    private static Request request(Consumer<FrameBuffer> writer) throws IOException {
        Request request = new Request();
        Protocol.readRequest(body(encode(writer)), request);
        return request;
    }

    private static Reply reply(Consumer<FrameBuffer> writer) throws IOException {
        Reply reply = new Reply();
        assertTrue(Protocol.readReply(body(encode(writer)), reply));
        return reply;
    }

    @Test
    void everyRequestDecodesAsWritten() throws IOException {
        Request get = request(w -> Protocol.writeGet(w, 7, KEY));
        assertEquals(MessageType.GET, get.type);
        assertEquals(7, get.id);
        assertArrayEquals(KEY, get.key);

        Request peek = request(w -> Protocol.writeRead(w, MessageType.PEEK, 6, KEY));
        assertEquals(MessageType.PEEK, peek.type);
        assertEquals(6, peek.id);
        assertArrayEquals(KEY, peek.key);

        Request put = request(w -> Protocol.writePut(w, 8, 41, 40, KEY, VALUE));
        assertEquals(MessageType.PUT, put.type);
        assertEquals(41, put.seq);
        assertEquals(40, put.ackedUpTo);
        assertArrayEquals(KEY, put.key);
        assertArrayEquals(VALUE, put.value);

        Request delete = request(w -> Protocol.writeDelete(w, 9, 42, 41, KEY));
        assertEquals(MessageType.DELETE, delete.type);
        assertEquals(42, delete.seq);
        assertArrayEquals(KEY, delete.key);

        Request cas = request(w -> Protocol.writeCompareAndSet(w, 10, 43, 42, KEY, null, VALUE));
        assertEquals(MessageType.CAS, cas.type);
        assertNull(cas.value);
        assertArrayEquals(VALUE, cas.update);
        Request casDelete = request(w -> Protocol.writeCompareAndSet(w, 10, 43, 42, KEY, VALUE, null));
        assertArrayEquals(VALUE, casDelete.value);
        assertNull(casDelete.update);

        Request batch = request(w -> Protocol.writeBatch(w, 11, 44, 43,
                List.of(StoreWrite.put(KEY, VALUE), StoreWrite.delete(VALUE),
                        StoreWrite.put(new byte[0], new byte[0]))));
        assertEquals(MessageType.BATCH, batch.type);
        assertEquals(44, batch.seq);
        assertEquals(3, batch.writes.size());
        assertArrayEquals(VALUE, batch.writes.get(0).value());
        assertTrue(batch.writes.get(1).isDelete());
        assertArrayEquals(new byte[0], batch.writes.get(2).key());

        for (Relation relation : Relation.values()) {
            Request navigate = request(w -> Protocol.writeNavigate(w, 12, null, relation));
            assertEquals(relation, navigate.relation);
            assertNull(navigate.key);
        }

        KeyRange range = new KeyRange(KEY, true, VALUE, false);
        Request scan = request(w -> Protocol.writeScan(w, 13, range, true, 256));
        assertEquals(range, scan.range);
        assertTrue(scan.descending);
        assertEquals(256, scan.limit);

        Request count = request(w -> Protocol.writeCount(w, 14, KeyRange.ALL));
        assertEquals(KeyRange.ALL, count.range);

        Request backup = request(w -> Protocol.writeBackup(w, 15, "/var/backups/é"));
        assertEquals(MessageType.BACKUP, backup.type);
        assertEquals("/var/backups/é", backup.destination);

        KeyRange prefix = new KeyRange(KEY, true, VALUE, false);
        Request compact = request(w -> Protocol.writeCompact(w, 16, prefix));
        assertEquals(MessageType.COMPACT, compact.type);
        assertEquals(prefix, compact.range);

        assertEquals(MessageType.FOLLOWERS, request(w -> Protocol.writeFollowers(w, 17)).type);

        Request ping = request(w -> Protocol.writePing(w, Long.MAX_VALUE));
        assertEquals(MessageType.PING, ping.type);
        assertEquals(Long.MAX_VALUE, ping.id);
        assertEquals(Protocol.UNSEQUENCED, ping.seq);
    }

    @Test
    void everyReplyDecodesAsWritten() throws IOException {
        assertArrayEquals(VALUE, reply(w -> Protocol.writeValueReply(w, 1, VALUE)).value);
        assertNull(reply(w -> Protocol.writeValueReply(w, 1, null)).value);
        assertTrue(reply(w -> Protocol.writeFlagReply(w, 2, true)).flag);
        assertEquals(MessageType.DONE, reply(w -> Protocol.writeDoneReply(w, 3)).type);

        Reply entry = reply(w -> Protocol.writeEntryReply(w, 4, new StoreEntry(KEY, VALUE)));
        assertArrayEquals(KEY, entry.key);
        assertArrayEquals(VALUE, entry.value);
        Reply none = reply(w -> Protocol.writeEntryReply(w, 4, null));
        assertNull(none.key);
        assertNull(none.value);

        Reply page = reply(w -> Protocol.writePageReply(w, 5,
                List.of(new StoreEntry(KEY, VALUE), new StoreEntry(VALUE, KEY))));
        assertEquals(2, page.entries.size());
        assertArrayEquals(KEY, page.entries.get(1).value());

        assertEquals(1L << 40, reply(w -> Protocol.writeCountReply(w, 6, 1L << 40)).count);
        List<PartyFollower> followers = List.of(new PartyFollower(12, 1000, true, Duration.ofMillis(1500)),
                new PartyFollower(13, 1001, false, Duration.ZERO));
        assertEquals(followers, reply(w -> Protocol.writeFollowerList(w, 7, followers)).followers);

        Reply error = reply(w -> Protocol.writeErrorReply(w, 7, ErrorKind.ILLEGAL_ARGUMENT,
                "bad \u00e9\u20ac\ud83d\ude00"));
        assertEquals(7, error.id);
        assertEquals(ErrorKind.ILLEGAL_ARGUMENT, error.errorKind);
        assertEquals("bad \u00e9\u20ac\ud83d\ude00", error.message);
    }

    @Test
    void handshakeDecodesAsWritten() throws IOException {
        UUID clientId = UUID.randomUUID();
        Hello hello = Protocol.readHello(body(encode(w -> Protocol.writeHello(w, clientId, 1234, true))));
        assertEquals(new Hello(Protocol.VERSION, clientId, 1234, true), hello);

        String longMessage = "refused: " + "x".repeat(100);
        HelloReply reply =
                Protocol.readHelloReply(body(encode(w -> Protocol.writeHelloReply(w, false, 99, longMessage))));
        assertEquals(new HelloReply(false, Protocol.VERSION, 99, longMessage), reply);
    }

    @Test
    void helloOfAnotherVersionIsReadOnlyUpToTheVersion() throws IOException {
        Hello hello = Protocol.readHello(body(RawFrames.frame(out -> {
            out.fixedInt8(MessageType.HELLO.code);
            out.fixedInt32(Protocol.VERSION + 1);
            out.text("a layout this version does not know");
        })));
        assertEquals(Protocol.VERSION + 1, hello.version());
        assertNull(hello.clientId());
    }

    /** Every value is encoded byte for byte as Chronicle's BinaryWire encodes it, at every length boundary. */
    @Test
    void valuesAreEncodedAsChronicleBinaryWireEncodesThem() throws MalformedFrameException {
        List<byte[]> arrays = new ArrayList<>();
        for (int n : new int[] {0, 1, 253, 254, 255, 256, 65533, 65534, 65535, 65536, 100_000}) {
            byte[] array = new byte[n];
            new Random(n).nextBytes(array);
            arrays.add(array);
        }
        List<String> texts = new ArrayList<>(List.of("", "a", "x".repeat(31), "x".repeat(32), "x".repeat(127),
                "x".repeat(128), "x".repeat(20_000), "é", "€ and ü", "\uD83D\uDE00 smile", "\u0000\u07FF\u0800\uFFFF"));
        texts.add("é".repeat(15) + "x");
        texts.add("é".repeat(16));
        UUID uuid = new UUID(0x0123456789ABCDEFL, 0xFEDCBA9876543210L);
        FrameBuffer ours = new FrameBuffer();
        Bytes<byte[]> theirs = Bytes.allocateElasticOnHeap(64);
        ValueOut chronicle = BinaryWire.binaryOnly(theirs).getValueOut();
        for (int v : new int[] {0, 1, -1, 127, -128}) {
            ours.int8(v);
            chronicle.fixedInt8((byte) v);
        }
        for (int v : new int[] {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            ours.int32(v);
            chronicle.fixedInt32(v);
        }
        for (long v : new long[] {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
            ours.int64(v);
            chronicle.fixedInt64(v);
        }
        ours.bool(true);
        chronicle.bool(true);
        ours.bool(false);
        chronicle.bool(false);
        ours.uuid(uuid);
        chronicle.uuid(uuid);
        ours.nullableBytes(null);
        chronicle.nu11();
        for (byte[] array : arrays) {
            ours.bytes(array);
            chronicle.bytes(array);
        }
        for (String text : texts) {
            ours.text(text);
            chronicle.text(text);
        }
        assertArrayEquals(theirs.toByteArray(), ours.toByteArray());

        // and read back by this protocol's strict reader
        Bytes<byte[]> theirsAgain = Bytes.allocateElasticOnHeap(64);
        ValueOut again = BinaryWire.binaryOnly(theirsAgain).getValueOut();
        for (String text : texts) {
            again.text(text);
        }
        FrameBody body = FrameBody.of(theirsAgain.toByteArray());
        for (String text : texts) {
            int code = body.readUnsignedByte();
            int n = code == Protocol.Code.STRING_ANY ? readStopBit(body) : code - Protocol.Code.STRING_0;
            assertEquals(text, body.readText(n));
        }
    }

    private static int readStopBit(FrameBody body) {
        int n = 0;
        for (int shift = 0; ; shift += 7) {
            int b = body.readUnsignedByte();
            n |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return n;
            }
        }
    }

    @Test
    void framesAreChronicleWireDocuments() throws IOException {
        byte[] frame = encode(w -> Protocol.writeGet(w, 300, KEY));
        Bytes<byte[]> bytes = Bytes.wrapForRead(frame);
        int header = bytes.readInt();
        assertTrue(Wires.isReadyData(header));
        assertEquals(frame.length - Protocol.HEADER_BYTES, Wires.lengthOf(header));
        // Chronicle's own reader understands the body.
        ValueIn in = BinaryWire.binaryOnly(bytes).getValueIn();
        assertEquals(MessageType.GET.code, in.int8());
        assertEquals(300, in.int64());
        assertArrayEquals(KEY, in.bytes());
        assertEquals(0, bytes.readRemaining());
    }

    @Test
    void pushesThisVersionDoesNotKnowAreSkippedByFollowers() throws IOException {
        byte[] frame = RawFrames.frame(out -> {
            out.fixedInt8((byte) 100);
            out.text("whatever a later version pushes");
        });
        Reply reply = new Reply();
        assertFalse(Protocol.readReply(body(frame), reply));
        assertNull(reply.type);
    }

    @Test
    void subscriptionMessagesDecodeAsWritten() throws IOException {
        assertEquals(MessageType.SUBSCRIBE, request(w -> Protocol.writeSubscribe(w, 9)).type);
        List<StoreWrite> writes = List.of(StoreWrite.put(KEY, VALUE), StoreWrite.delete(VALUE));
        Reply event = new Reply();
        assertFalse(Protocol.readReply(body(encode(w -> Protocol.writeEvent(w, 42, writes))), event));
        assertEquals(MessageType.EVENT, event.type);
        assertEquals(42, event.count);
        assertEquals(2, event.writes.size());
        assertArrayEquals(KEY, event.writes.get(0).key());
        assertArrayEquals(VALUE, event.writes.get(0).value());
        assertArrayEquals(VALUE, event.writes.get(1).key());
        assertTrue(event.writes.get(1).isDelete());
        Reply lost = new Reply();
        assertFalse(Protocol.readReply(body(encode(Protocol::writeEventsLost)), lost));
        assertEquals(MessageType.EVENTS_LOST, lost.type);
        byte[] truncated = RawFrames.frame(out -> {
            out.fixedInt8(MessageType.EVENT.code);
            out.fixedInt64(1);
            out.fixedInt32(2);
            out.bytes(KEY);
        });
        assertThrows(MalformedFrameException.class, () -> Protocol.readReply(body(truncated), new Reply()));
    }

    @Test
    void leaseMessagesDecodeAsWritten() throws IOException {
        assertEquals(MessageType.LEASE, request(w -> Protocol.writeLease(w, 5)).type);
        Request bind = request(w -> Protocol.writeBind(w, 6, 77));
        assertEquals(MessageType.BIND, bind.type);
        assertEquals(77, bind.token);
        Request ack = request(w -> Protocol.writeAck(w, 12));
        assertEquals(MessageType.ACK, ack.type);
        assertEquals(12, ack.id);

        Reply grant = new Reply();
        assertTrue(Protocol.readReply(body(encode(w -> Protocol.writeGrantReply(w, 5, 77, 1000))), grant));
        assertEquals(MessageType.GRANT, grant.type);
        assertEquals(77, grant.token);
        assertEquals(1000, grant.leaseNanos);
        assertThrows(MalformedFrameException.class,
                () -> Protocol.readReply(body(encode(w -> Protocol.writeGrantReply(w, 5, 77, 0))), new Reply()));
        Reply cacheable = new Reply();
        assertTrue(Protocol.readReply(body(encode(w -> Protocol.writeValueReply(w, 8, VALUE, true))), cacheable));
        assertEquals(MessageType.CACHEABLE, cacheable.type);
        assertArrayEquals(VALUE, cacheable.value);

        Reply invalidate = new Reply();
        assertFalse(Protocol.readReply(body(encode(w -> Protocol.writeInvalidate(w, 3, 99, List.of(KEY, VALUE)))),
                invalidate));
        assertEquals(MessageType.INVALIDATE, invalidate.type);
        assertEquals(3, invalidate.count);
        assertEquals(99, invalidate.stamp);
        assertEquals(2, invalidate.keys.size());
        assertArrayEquals(VALUE, invalidate.keys.get(1));
        Reply heartbeat = new Reply();
        assertFalse(Protocol.readReply(body(encode(w -> Protocol.writeHeartbeat(w, 123))), heartbeat));
        assertEquals(MessageType.HEARTBEAT, heartbeat.type);
        assertEquals(123, heartbeat.stamp);
    }

    @Test
    void invalidationsOfManyLargeKeysAreSplitIntoFramesThatFit() {
        byte[] large = new byte[Protocol.MAX_FRAME_BYTES / 3];
        List<byte[]> keys = List.of(large, large, large, large);
        int first = Protocol.keysThatFit(keys, 0);
        assertEquals(2, first);
        assertEquals(2, Protocol.keysThatFit(keys, first));
        assertEquals(1, Protocol.keysThatFit(List.of(new byte[Protocol.MAX_FRAME_BYTES]), 0), "one key always goes");
    }

    @Test
    void oversizedMessagesAreRefusedAndLeaveTheBufferAsItWas() throws IOException {
        FrameBuffer buffer = new FrameBuffer();
        Protocol.writePing(buffer, 1);
        long before = buffer.size();
        byte[] huge = new byte[Protocol.MAX_FRAME_BYTES];
        assertThrows(FrameTooLargeException.class, () -> Protocol.writePut(buffer, 2, 0, 0, KEY, huge));
        assertThrows(FrameTooLargeException.class, () -> Protocol.writeGet(buffer, 2, huge));
        assertThrows(FrameTooLargeException.class, () -> Protocol.writeValueReply(buffer, 2, huge));
        assertEquals(before, buffer.size());
        byte[] largest = new byte[Protocol.MAX_FRAME_BYTES - 40];
        Protocol.writeValueReply(buffer, 3, largest);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        buffer.writeTo(out);
        FrameReader reader = new FrameReader(new ByteArrayInputStream(out.toByteArray()));
        Protocol.readRequest(reader.next(), new Request());
        Reply reply = new Reply();
        Protocol.readReply(reader.next(), reply);
        assertEquals(largest.length, reply.value.length);
        assertNull(reader.next());
    }

    @Test
    void pagesAreCutToFitAFrame() {
        byte[] big = new byte[5 << 20];
        List<StoreEntry> entries = List.of(new StoreEntry(KEY, big), new StoreEntry(KEY, big), new StoreEntry(KEY, big),
                new StoreEntry(KEY, big));
        assertEquals(3, Protocol.entriesThatFit(entries));
        assertEquals(0, Protocol.entriesThatFit(List.of(new StoreEntry(KEY, new byte[Protocol.MAX_FRAME_BYTES]))));
        assertEquals(1, Protocol.entriesThatFit(List.of(new StoreEntry(KEY, VALUE))));
    }

    @Test
    void malformedBodiesAreRejected() {
        // each is a well-framed body that breaks the message layout
        List<Consumer<ValueOut>> malformed = List.of(
                o -> o.fixedInt8((byte) 99),                                                   // unknown type
                o -> o.fixedInt8(MessageType.VALUE.code),                                      // a reply as a request
                o -> { o.fixedInt8(MessageType.GET.code); o.int64(5); },                       // compact int64
                o -> { o.fixedInt8(MessageType.GET.code); o.fixedInt64(5); },                  // key missing
                o -> { o.fixedInt8(MessageType.GET.code); o.fixedInt64(5); o.nu11(); },        // null key
                o -> { o.fixedInt8(MessageType.GET.code); o.fixedInt64(5); o.text("key"); },   // text key
                o -> { o.fixedInt8(MessageType.GET.code); o.fixedInt64(5); o.bytes(KEY); o.bool(true); }, // trailing
                o -> { o.fixedInt8(MessageType.NAVIGATE.code); o.fixedInt64(5); o.nu11(); o.fixedInt8((byte) 4); },
                o -> {
                    o.fixedInt8(MessageType.SCAN.code);
                    o.fixedInt64(5);
                    o.nu11();
                    o.bool(true);
                    o.nu11();
                    o.bool(true);
                    o.bool(false);
                    o.fixedInt32(0); // limit
                },
                o -> {
                    o.fixedInt8(MessageType.BATCH.code);
                    o.fixedInt64(5);
                    o.fixedInt64(1);
                    o.fixedInt64(0);
                    o.fixedInt32(Integer.MAX_VALUE); // writes that are not there
                });
        for (Consumer<ValueOut> body : malformed) {
            assertThrows(MalformedFrameException.class,
                    () -> Protocol.readRequest(body(RawFrames.frame(body)), new Request()));
        }
    }

    @Test
    void frameHeadersAreCheckedBeforeTheBodyArrives() {
        for (int header : new int[] {0, Protocol.MAX_FRAME_BYTES + 1, 0x80000010, 0x40000010, -1}) {
            FrameReader reader = new FrameReader(new ByteArrayInputStream(RawFrames.header(header)));
            assertThrows(MalformedFrameException.class, reader::next, () -> String.format("header 0x%08x", header));
        }
    }

    @Test
    void aStreamEndingWithinAFrameIsMalformedAndBetweenFramesIsTheEnd() throws IOException {
        byte[] frame = encode(w -> Protocol.writeGet(w, 1, KEY));
        for (int cut = 1; cut < frame.length; cut++) {
            FrameReader reader = new FrameReader(new ByteArrayInputStream(Arrays.copyOf(frame, cut)));
            assertThrows(MalformedFrameException.class, reader::next);
        }
        assertNull(new FrameReader(new ByteArrayInputStream(new byte[0])).next());
    }

    @Test
    void manyFramesAndLargeOnesArriveWhole() throws IOException {
        byte[] large = new byte[3 << 20];
        new Random(1).nextBytes(large);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            byte[] value = i % 100 == 0 ? large : ("v" + i).getBytes(UTF_8);
            long id = i;
            out.write(encode(w -> Protocol.writeValueReply(w, id, value)));
        }
        FrameReader reader = new FrameReader(new ByteArrayInputStream(out.toByteArray()));
        Reply reply = new Reply();
        for (int i = 0; i < 1000; i++) {
            assertTrue(Protocol.readReply(reader.next(), reply));
            assertEquals(i, reply.id);
            assertArrayEquals(i % 100 == 0 ? large : ("v" + i).getBytes(UTF_8), reply.value);
        }
        assertNull(reader.next());
    }

    @Test
    void garbageNeverDecodesToAnythingButAMalformedFrame() throws IOException {
        Random random = new Random(42);
        List<byte[]> valid = new ArrayList<>();
        valid.add(encode(w -> Protocol.writeBatch(w, 1, 2, 3,
                List.of(StoreWrite.put(KEY, VALUE), StoreWrite.delete(KEY)))));
        valid.add(encode(w -> Protocol.writeScan(w, 1, new KeyRange(KEY, true, null, false), false, 10)));
        valid.add(encode(w -> Protocol.writeCompareAndSet(w, 1, 2, 3, KEY, null, VALUE)));
        valid.add(encode(w -> Protocol.writeErrorReply(w, 1, ErrorKind.INTERNAL, "message")));
        valid.add(encode(w -> Protocol.writePageReply(w, 1, List.of(new StoreEntry(KEY, VALUE)))));
        Request request = new Request();
        Reply reply = new Reply();
        for (int i = 0; i < 20_000; i++) {
            byte[] body;
            if (i % 2 == 0) {
                body = new byte[1 + random.nextInt(60)];
                random.nextBytes(body);
            } else {
                byte[] frame = valid.get(random.nextInt(valid.size()));
                body = Arrays.copyOfRange(frame, Protocol.HEADER_BYTES, frame.length);
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                }
            }
            try {
                Protocol.readRequest(FrameBody.of(body), request);
            } catch (MalformedFrameException expected) {
                // the only failure allowed
            }
            try {
                Protocol.readReply(FrameBody.of(body), reply);
            } catch (MalformedFrameException expected) {
                // the only failure allowed
            }
        }
    }
}
