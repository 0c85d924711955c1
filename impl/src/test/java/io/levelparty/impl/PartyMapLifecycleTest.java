package io.levelparty.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codec;
import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyClosedException;
import io.levelparty.PartyCodecException;
import io.levelparty.PartyMap;
import io.levelparty.PartyUnavailableException;
import io.levelparty.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The map's life from open to close, and the bad input it must refuse, in leader mode. */
class PartyMapLifecycleTest {
    @TempDir
    Path tmp;

    @Test
    void dataSurvivesCloseAndReopen() {
        Path dir = tmp.resolve("db");
        try (PartyMap<String> map = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Role.LEADER, map.role());
            map.put("a", "1");
            map.batch().put("b", "2").put("c", "3").remove("a").apply();
        }
        try (PartyMap<String> map = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(Map.of("b", "2", "c", "3"), Map.copyOf(map));
        }
    }

    /**
     * A leader that closes writes its memtable out first, so that its successor's open has almost
     * no log to replay: the hand-over's gap does not grow with what the leader wrote last.
     */
    @Test
    void aClosingLeaderLeavesItsSuccessorNoLogToReplay() throws Exception {
        Path dir = tmp.resolve("db");
        try (PartyMap<String> map = LevelParty.open(dir, Codecs.utf8())) {
            for (int i = 0; i < 2000; i++) {
                map.put("k" + i, "v".repeat(100)); // 230 KiB of log, below the 1 MiB memtable
            }
        }
        long log;
        try (var files = Files.list(dir)) {
            log = files.filter(f -> f.toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum();
        }
        assertTrue(log < 4096, "the closed leader left " + log + " bytes of log to replay");
        try (PartyMap<String> map = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals(2000, map.size());
        }
    }

    @Test
    void missingParentDirectoriesAreCreated() {
        Path dir = tmp.resolve("x/y/z/db");
        try (PartyMap<String> map = LevelParty.open(dir, Codecs.utf8())) {
            map.put("k", "v");
        }
        assertTrue(Files.isRegularFile(dir.resolve("CURRENT")));
    }

    @Test
    void everyCallAfterCloseThrowsPartyClosedException() {
        PartyMap<String> map = LevelParty.open(tmp, Codecs.utf8());
        for (int i = 0; i < 100; i++) {
            map.put("k" + i, "v");
        }
        Iterator<String> open = map.keySet().iterator();
        open.next();
        Map<String, String> view = map.headMap("k5");
        map.close();
        map.close(); // idempotent
        assertThrows(PartyClosedException.class, () -> map.get("k1"));
        assertThrows(PartyClosedException.class, () -> map.put("k1", "v"));
        assertThrows(PartyClosedException.class, map::size);
        assertThrows(PartyClosedException.class, () -> view.containsKey("k1"));
        assertThrows(PartyClosedException.class, () -> {
            while (open.hasNext()) {
                open.next(); // the next page is read from the closed store and must fail, not crash the JVM
            }
        });
    }

    @Test
    void nullsAreRefusedWithNullPointerException() {
        try (PartyMap<String> map = LevelParty.open(tmp, Codecs.utf8())) {
            assertThrows(NullPointerException.class, () -> map.put(null, "v"));
            assertThrows(NullPointerException.class, () -> map.put("k", null));
            assertThrows(NullPointerException.class, () -> map.get(null));
            assertThrows(NullPointerException.class, () -> map.batch().put("k", null));
            assertTrue(map.isEmpty());
        }
    }

    @Test
    void keysWithUnpairedSurrogatesAreRefusedByName() {
        try (PartyMap<String> map = LevelParty.open(tmp, Codecs.utf8())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.put("bad\uD800", "v"));
            assertTrue(e.getMessage().contains("U+D800"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> map.get("\uDC00x"));
            PartyCodecException value = assertThrows(PartyCodecException.class, () -> map.put("ok", "bad\uD800"));
            assertInstanceOf(IllegalArgumentException.class, value.getCause());
            map.put("pair\uD83D\uDE00", "fine");
            assertEquals("fine", map.get("pair\uD83D\uDE00"));
        }
    }

    @Test
    void keysFollowCodePointOrder() {
        try (PartyMap<String> map = LevelParty.open(tmp, Codecs.utf8())) {
            List<String> keys = List.of("", "a", "\u00e9", "\uFFFD", "\uD83D\uDE00");
            for (String k : List.of("\uD83D\uDE00", "\uFFFD", "a", "", "\u00e9")) {
                map.put(k, k);
            }
            assertEquals(keys, List.copyOf(map.keySet()));
            assertTrue(map.comparator().compare("\uFFFD", "\uD83D\uDE00") < 0);
            assertEquals("\uD83D\uDE00", map.lastKey());
        }
    }

    @Test
    void aFailingCodecWritesNothing() {
        Codec<String> picky = new Codec<>() {
            @Override
            public byte[] encode(String value) {
                if (value.equals("poison")) {
                    throw new IllegalStateException("cannot encode poison");
                }
                return value.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        };
        try (PartyMap<String> map = LevelParty.open(tmp, picky)) {
            map.put("k", "fine");
            PartyCodecException e = assertThrows(PartyCodecException.class, () -> map.put("k", "poison"));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getMessage().contains("\"k\""), e.getMessage());
            assertThrows(PartyCodecException.class, () -> map.batch().put("j", "fine").put("k", "poison"));
            assertEquals(Map.of("k", "fine"), Map.copyOf(map));
        }
    }

    /** The write is applied even when the value it replaced does not decode, and the exception says so. */
    @Test
    void aWriteWhosePreviousValueDoesNotDecodeSaysItWasApplied() {
        Codec<String> noOldValues = new Codec<>() {
            @Override
            public byte[] encode(String value) {
                return value.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] bytes) {
                String value = new String(bytes, StandardCharsets.UTF_8);
                if (value.startsWith("old")) {
                    throw new IllegalStateException("cannot decode " + value);
                }
                return value;
            }
        };
        try (PartyMap<String> map = LevelParty.open(tmp, noOldValues)) {
            map.put("k", "old value");
            PartyCodecException put = assertThrows(PartyCodecException.class, () -> map.put("k", "new"));
            assertTrue(put.getMessage().contains("was applied"), put.getMessage());
            assertEquals("new", map.get("k"));
            map.put("r", "old too");
            PartyCodecException remove = assertThrows(PartyCodecException.class, () -> map.remove("r"));
            assertTrue(remove.getMessage().contains("was applied"), remove.getMessage());
            assertFalse(map.containsKey("r"));
        }
    }

    @Test
    void aDirectoryThatIsARegularFileFailsAtOnceNamingThePath() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain-file"), "not a database");
        PartyUnavailableException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(PartyUnavailableException.class, () -> LevelParty.open(file, Codecs.utf8())));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        Path below = file.resolve("db");
        e = assertThrows(PartyUnavailableException.class, () -> LevelParty.open(below, Codecs.utf8()));
        assertTrue(e.getMessage().contains(below.toString()), e.getMessage());
    }

    record Order(String item, int quantity) {}

    @Test
    void jsonValuesReadBackAsNodeLevelWritesThem() {
        Path dir = tmp.resolve("db");
        try (PartyMap<byte[]> raw = LevelParty.open(dir, Codecs.bytes())) {
            raw.put("order", "{\"item\":\"tea\",\"quantity\":2}".getBytes(StandardCharsets.UTF_8));
            raw.put("a", "42".getBytes(StandardCharsets.UTF_8));
        }
        try (PartyMap<Order> orders = LevelParty.open(dir, Codecs.json(Order.class))) {
            assertEquals(new Order("tea", 2), orders.get("order"));
            orders.put("next", new Order("cake", 1));
        }
        try (PartyMap<Integer> numbers = LevelParty.open(dir, Codecs.json(Integer.class))) {
            assertEquals(42, numbers.get("a"));
        }
        try (PartyMap<String> text = LevelParty.open(dir, Codecs.utf8())) {
            assertEquals("{\"item\":\"cake\",\"quantity\":1}", text.get("next"));
        }
    }

    @Test
    void bytesCodecCopiesArrays() {
        try (PartyMap<byte[]> map = LevelParty.open(tmp, Codecs.bytes())) {
            byte[] value = {1, 2, 3};
            map.put("k", value);
            value[0] = 9;
            byte[] read = map.get("k");
            assertEquals(1, read[0]);
            read[1] = 9;
            assertEquals(2, map.get("k")[1]);
            assertFalse(map.containsKey("missing"));
            assertNull(map.get("missing"));
        }
    }

    @Test
    void reservedRecordsAreInvisible() {
        try (PartyMap<String> map = LevelParty.open(tmp, Codecs.utf8())) {
            map.put("a", "1");
        }
        LocalStore store = LocalStore.tryOpen(tmp);
        store.put(new byte[] {(byte) 0xFF, 'x'}, new byte[] {1});
        store.close();
        try (PartyMap<String> map = LevelParty.open(tmp, Codecs.utf8())) {
            assertEquals(1, map.size());
            assertEquals("a", map.lastKey());
            assertEquals(List.of("a"), List.copyOf(map.descendingKeySet()));
            assertSame(null, map.higherKey("a"));
        }
    }
}
