package io.levelparty.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.PartyUnavailableException;
import io.levelparty.Role;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the etcd store adds to the map contract: its limits, its key layout, its errors. */
class EtcdStoreTest {
    @RegisterExtension
    static final EtcdNode etcd = new EtcdNode();

    @Test
    void aBatchOfMoreKeysThanOneTransactionTakesIsRefusedWithNothingWritten() {
        try (PartyMap<String> map = LevelParty.open(etcd.newUri("limits"), Codecs.utf8())) {
            PartyMap.Batch<String> fits = map.batch();
            PartyMap.Batch<String> tooMany = map.batch();
            for (int i = 0; i < EtcdStore.MAX_BATCH_KEYS; i++) {
                fits.put("k" + i, "v").put("k" + i, "last");
                tooMany.put("n" + i, "v");
            }
            fits.apply();
            assertEquals(EtcdStore.MAX_BATCH_KEYS, map.size(), "a key written twice in a batch counts once");
            assertEquals("last", map.get("k0"), "the later write to a key wins");

            tooMany.put("one more", "v");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, tooMany::apply);
            assertTrue(e.getMessage().contains("at most 127 distinct keys") && e.getMessage().contains("128"),
                    e.getMessage());
            assertEquals(EtcdStore.MAX_BATCH_KEYS, map.size(), "nothing of the refused batch was written");
        }
    }

    @Test
    void aValueLargerThanARequestMayBeIsRefusedWithNothingWritten() {
        try (PartyMap<String> map = LevelParty.open(etcd.newUri("limits"), Codecs.utf8())) {
            String big = "x".repeat(EtcdStore.MAX_REQUEST_BYTES);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.put("big", big));
            assertTrue(e.getMessage().contains("1.5 MiB"), e.getMessage());
            assertTrue(map.isEmpty());
            map.put("large", "x".repeat(1 << 20));
            assertEquals(1 << 20, map.get("large").length());
        }
    }

    @Test
    void mapsWhosePathsExtendOneAnotherShareNoKeys() {
        URI a = etcd.newUri("nested");
        Map<String, PartyMap<String>> maps = new TreeMap<>();
        try {
            for (String path : new String[] {a.getPath(), a.getPath() + "/b", a.getPath() + "b"}) {
                PartyMap<String> map = LevelParty.open(URI.create("etcd://" + a.getAuthority() + path), Codecs.utf8());
                maps.put(path, map);
                map.put("", path);
                map.put("b/x", path);
                map.put("x", path);
            }
            for (Map.Entry<String, PartyMap<String>> e : maps.entrySet()) {
                assertEquals(Map.of("", e.getKey(), "b/x", e.getKey(), "x", e.getKey()), e.getValue(), e.getKey());
            }
        } finally {
            maps.values().forEach(PartyMap::close);
        }
    }

    @Test
    void everyProcessIsTheLeaderOfItsMap() {
        try (PartyMap<String> map = LevelParty.open(etcd.newUri("role"), Codecs.utf8())) {
            assertEquals(Role.LEADER, map.role());
            assertEquals(ProcessHandle.current().pid(), map.stats().leaderPid());
        }
    }

    @Test
    void anEndpointThatDoesNotAnswerIsNamedWhenTheOpenTimeoutPasses() throws IOException {
        int port;
        try (ServerSocket unused = new ServerSocket(0)) {
            port = unused.getLocalPort();
        }
        PartyOptions<String> options = PartyOptions.of(Codecs.utf8()).openTimeout(Duration.ofSeconds(3));
        long start = System.nanoTime();
        PartyUnavailableException e = assertThrows(PartyUnavailableException.class,
                () -> LevelParty.open(URI.create("etcd://127.0.0.1:" + port + "/nobody"), options));
        long seconds = (System.nanoTime() - start) / 1_000_000_000;
        assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("open timeout of PT3S")
                && e.getMessage().contains("Connection refused"), e.getMessage());
        assertTrue(seconds < 10, "gave up after " + seconds + " s");
    }
}
