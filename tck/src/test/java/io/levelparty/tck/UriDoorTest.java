package io.levelparty.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.Role;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code LevelParty.open(URI, …)}: file URIs are LevelDB parties, other schemes go to the provider that claims them. */
class UriDoorTest {
    @TempDir
    Path dir;

    @Test
    void aFileUriOpensTheLevelDbDirectory() {
        try (PartyMap<String> byPath = LevelParty.open(dir.resolve("db"), Codecs.utf8())) {
            byPath.put("k", "v");
            try (PartyMap<String> byUri = LevelParty.open(dir.resolve("db").toUri(), Codecs.utf8())) {
                assertEquals(Role.FOLLOWER, byUri.role(), "the same directory, so the same party");
                assertEquals("v", byUri.get("k"));
            }
        }
    }

    @Test
    void anotherSchemeIsOpenedByTheProviderThatClaimsIt() {
        try (PartyMap<String> map = LevelParty.open(URI.create("memory:test"), Codecs.utf8())) {
            map.put("b", "2");
            map.put("a", "1");
            assertEquals("a", map.firstKey());
            assertEquals("{a=1, b=2}", map.toString());
        }
    }

    @Test
    void anUnknownSchemeIsRefusedNamingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LevelParty.open(URI.create("etcd://127.0.0.1:2379/x"), Codecs.utf8()));
        assertTrue(e.getMessage().contains("etcd://127.0.0.1:2379/x") && e.getMessage().contains("memory")
                && e.getMessage().contains("levelparty-etcd"), e.getMessage());
    }
}
