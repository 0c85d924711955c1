package io.levelparty.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartyMapMetricsTest {
    @TempDir
    Path dir;

    @Test
    void theMapsCountsReachTheRegistryTaggedAndReadNaNOnceClosed() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PartyMap<String> map = LevelParty.open(dir.resolve("db"), Codecs.utf8());
        new PartyMapMetrics(map, Tags.of("map", "orders")).bindTo(registry);
        map.put("a", "1");
        map.put("b", "2");
        assertEquals(2.0, registry.get("levelparty.writes").tag("map", "orders").functionCounter().count());
        assertEquals(1.0, registry.get("levelparty.leader").gauge().value(), "it leads its own directory");
        assertEquals(0.0, registry.get("levelparty.failovers").functionCounter().count());
        assertTrue(Double.isNaN(registry.get("levelparty.failover.last").gauge().value()), "no failover yet");
        map.close();
        assertTrue(Double.isNaN(registry.get("levelparty.leader").gauge().value()));
    }
}
