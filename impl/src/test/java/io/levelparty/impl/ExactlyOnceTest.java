package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.StorageEngine;
import io.levelparty.spi.KeyRange;
import io.levelparty.spi.StoreWrite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Numbered writes take effect once, however often they are resent and whoever leads, see
 * {@link ClientRecords}; every case runs on both engines, and the next leader's term on the other one.
 */
@ParameterizedClass
@EnumSource(value = StorageEngine.class, names = {"NATIVE", "JAVA"})
class ExactlyOnceTest {
    private static final UUID CLIENT = UUID.randomUUID();
    private static final byte[] KEY = b("k");

    @Parameter
    StorageEngine engine;
    @TempDir
    Path dir;
    LocalStore store;

    @BeforeEach
    void open() {
        store = LocalStore.tryOpen(dir, engine);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static WriteId id(long seq, long ackedUpTo) {
        return new WriteId(CLIENT, seq, ackedUpTo);
    }

    @Test
    void aResentPutIsAnsweredFromItsRecordAndNotAppliedAgain() {
        assertNull(store.applyOnce(id(1, 0), new WriteCommand.Put(KEY, b("mine")), false));
        store.put(KEY, b("someone else's"));
        assertNull(store.applyOnce(id(1, 0), new WriteCommand.Put(KEY, b("mine")), false), "the first outcome, again");
        assertArrayEquals(b("someone else's"), store.get(KEY), "not applied twice");
    }

    @Test
    void aResentCompareAndSetReportsItsRealOutcome() {
        store.put(KEY, b("1"));
        assertTrue(store.applyOnce(id(1, 0), new WriteCommand.CompareAndSet(KEY, b("1"), b("2")), false));
        // Resent after a failover: the value is no longer "1", yet the write did succeed.
        assertTrue(store.applyOnce(id(1, 0), new WriteCommand.CompareAndSet(KEY, b("1"), b("2")), false));
        assertArrayEquals(b("2"), store.get(KEY));
        assertFalse(store.applyOnce(id(2, 1), new WriteCommand.CompareAndSet(KEY, b("1"), b("3")), false));
        assertFalse(store.applyOnce(id(2, 1), new WriteCommand.CompareAndSet(KEY, b("2"), b("3")), false),
                "a failed compare-and-set stays failed when resent");
    }

    @Test
    void recordsOutliveTheLeader() {
        assertNull(store.applyOnce(id(1, 0), new WriteCommand.Delete(KEY), false));
        store.applyOnce(id(2, 0), new WriteCommand.Batch(List.of(StoreWrite.put(KEY, b("x")))), false);
        store.close();
        // The next leader's term, on the other engine.
        store = LocalStore.tryOpen(dir, engine == StorageEngine.NATIVE ? StorageEngine.JAVA : StorageEngine.NATIVE);
        assertNull(store.applyOnce(id(1, 0), new WriteCommand.Delete(KEY), false), "answered from the record");
        assertArrayEquals(b("x"), store.get(KEY), "the resent delete did not delete the later put");
    }

    @Test
    void confirmedWritesLoseTheirRecords() {
        store.applyOnce(id(1, 0), new WriteCommand.Put(KEY, b("a")), false);
        store.applyOnce(id(2, 1), new WriteCommand.Put(KEY, b("b")), false); // confirms write 1
        // Write 1 is no longer recorded, so a (protocol-violating) copy of it would apply again:
        // proof that the record went.
        assertArrayEquals(b("b"), store.applyOnce(id(1, 0), new WriteCommand.Put(KEY, b("a")), false));
        assertEquals(1, store.count(KeyRange.ALL), "records are invisible to scans");
    }

    @Test
    void staleRecordsAreSweptAway() {
        store.applyOnce(id(1, 0), new WriteCommand.Put(KEY, b("a")), false);
        store.sweepStaleRecords(System.currentTimeMillis());
        assertNull(store.applyOnce(id(1, 0), new WriteCommand.Put(KEY, b("a")), false), "a fresh record stays");
        store.sweepStaleRecords(System.currentTimeMillis() + ClientRecords.STALE_AFTER_MILLIS + 1);
        assertArrayEquals(b("a"), store.applyOnce(id(1, 0), new WriteCommand.Put(KEY, b("a")), false), "the stale one went");
    }
}
