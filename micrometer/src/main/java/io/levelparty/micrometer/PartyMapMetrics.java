package io.levelparty.micrometer;

import io.levelparty.PartyMap;
import io.levelparty.PartyStats;
import io.levelparty.Role;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Publishes an open {@link PartyMap}'s {@link PartyStats} to a Micrometer registry:
 *
 * <pre>{@code
 * new PartyMapMetrics(map, Tags.of("map", "orders")).bindTo(registry);
 * }</pre>
 *
 * <p>Counters: {@code levelparty.cache.hits}, {@code levelparty.cache.misses},
 * {@code levelparty.cache.evictions}, {@code levelparty.writes}, {@code levelparty.requests.served},
 * {@code levelparty.lease.cutoffs}, {@code levelparty.failovers}. Gauges:
 * {@code levelparty.cache.entries}, {@code levelparty.leader} (1 while this process leads, else 0),
 * {@code levelparty.failover.last} (seconds the last failover took; NaN before the first). Each
 * reading takes a fresh {@code stats()}; once the map is closed, every meter reads NaN.
 */
public final class PartyMapMetrics implements MeterBinder {
    private final PartyMap<?> map;
    private final Iterable<Tag> tags;

    /** Binds {@code map}'s meters with {@code tags}, e.g. one that names the map. */
    public PartyMapMetrics(PartyMap<?> map, Iterable<Tag> tags) {
        this.map = Objects.requireNonNull(map, "map");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "levelparty.cache.hits", "point reads answered from the follower cache", PartyStats::cacheHits);
        counter(registry, "levelparty.cache.misses", "point reads that asked the leader while the cache was in use",
                PartyStats::cacheMisses);
        counter(registry, "levelparty.cache.evictions", "entries the cache dropped to stay within its size",
                PartyStats::cacheEvictions);
        counter(registry, "levelparty.writes", "writes made through this map in this process", PartyStats::writes);
        counter(registry, "levelparty.requests.served", "requests of followers served while this process led",
                PartyStats::requestsServed);
        counter(registry, "levelparty.lease.cutoffs", "followers' caches the leader stopped waiting for",
                PartyStats::leaseCutoffs);
        counter(registry, "levelparty.failovers", "changes of leader this process went through", PartyStats::failovers);
        gauge(registry, "levelparty.cache.entries", "entries in the follower cache", PartyStats::cacheEntries);
        gauge(registry, "levelparty.leader", "1 while this process leads, else 0",
                s -> s.role() == Role.LEADER ? 1 : 0);
        Gauge.builder("levelparty.failover.last", map, m -> read(m, s -> s.lastFailoverMicros() < 0 ? Double.NaN
                        : s.lastFailoverMicros() / 1e6))
                .description("how long the last failover took").baseUnit("seconds").tags(tags).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<PartyStats> count) {
        FunctionCounter.builder(name, map, m -> read(m, count)).description(description).tags(tags).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<PartyStats> value) {
        Gauge.builder(name, map, m -> read(m, value)).description(description).tags(tags).register(registry);
    }

    private static double read(PartyMap<?> map, ToDoubleFunction<PartyStats> value) {
        try {
            return value.applyAsDouble(map.stats());
        } catch (RuntimeException closed) {
            return Double.NaN;
        }
    }
}
