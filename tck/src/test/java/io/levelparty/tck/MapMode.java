package io.levelparty.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.levelparty.Codecs;
import io.levelparty.Consistency;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.Role;
import io.levelparty.StorageEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * The kinds of map every contract runs against, so each contract gives its results side by side:
 * the reference {@link ConcurrentSkipListMap}, a LevelParty map that leads its directory, the
 * facade over a store of a user's own, and one that follows a leader opened in the same JVM (a second open of a directory finds the lock held
 * and connects to the first one's socket), with linearizable or with cached reads: within one
 * process, a map with cached reads keeps the same contract, since it always reads its own writes.
 * The leader's LevelDB runs on the engine the process picks by default (native, where leveldbjni's
 * library loads) but in the modes that name the Java engine.
 */
enum MapMode {
    REFERENCE {
        @Override
        ConcurrentNavigableMap<String, String> open() {
            return new ConcurrentSkipListMap<>(CodePointOrder.INSTANCE);
        }
    },
    LEADER {
        @Override
        ConcurrentNavigableMap<String, String> open() {
            return leader(PartyOptions.of(Codecs.utf8()));
        }
    },
    /** A leader on the Java engine ({@link StorageEngine#JAVA}). */
    LEADER_JAVA {
        @Override
        ConcurrentNavigableMap<String, String> open() {
            return leader(PartyOptions.of(Codecs.utf8()).engine(StorageEngine.JAVA));
        }
    },
    FOLLOWER {
        @Override
        ConcurrentNavigableMap<String, String> open() {
            return follower(PartyOptions.of(Codecs.utf8()));
        }
    },
    /**
     * The full facade over a store of a user's own ({@link MemoryStore}), through
     * {@link LevelParty#open(io.levelparty.spi.PartyStore, PartyOptions)}.
     */
    OWN_STORE {
        @Override
        ConcurrentNavigableMap<String, String> open() {
            PartyMap<String> map = LevelParty.open(new MemoryStore(), PartyOptions.of(Codecs.utf8()));
            resources.put(map, map::close);
            return map;
        }
    },
    /** A follower whose point reads may come from its cache ({@link Consistency#RELAXED}). */
    RELAXED_FOLLOWER {
        @Override
        ConcurrentNavigableMap<String, String> open() {
            return follower(PartyOptions.of(Codecs.utf8()).consistency(Consistency.RELAXED));
        }
    };

    /** Opens a leader with {@code options} on a new directory, and returns it. */
    private static PartyMap<String> leader(PartyOptions<String> options) {
        Path dir = newDirectory();
        PartyMap<String> map = LevelParty.open(dir, options);
        assertEquals(Role.LEADER, map.role());
        resources.put(map, () -> {
            map.close();
            delete(dir);
        });
        return map;
    }

    /** Opens a leader on a new directory, then a follower of it with {@code options}, and returns the follower. */
    private static PartyMap<String> follower(PartyOptions<String> options) {
        Path dir = newDirectory();
        PartyMap<String> leader = LevelParty.open(dir, Codecs.utf8());
        PartyMap<String> map = LevelParty.open(dir, options);
        assertEquals(Role.FOLLOWER, map.role());
        resources.put(map, () -> {
            map.close();
            leader.close();
            delete(dir);
        });
        return map;
    }

    /** What to release with each open map; keyed by identity, as maps' equals compares contents. */
    private static final Map<Object, AutoCloseable> resources = Collections.synchronizedMap(new IdentityHashMap<>());

    /**
     * Returns what maps of this mode promise beyond the contract: all of {@link MapFeature}, since
     * {@link PartyMap} documents the habits of {@link ConcurrentSkipListMap} as its own.
     */
    Set<MapFeature> features() {
        return MapFeature.ofConcurrentSkipListMap();
    }

    /** Returns a new, empty map of this mode. */
    abstract ConcurrentNavigableMap<String, String> open();

    /** Releases a map from {@link #open} and everything opened for it. */
    static void release(Object map) throws Exception {
        AutoCloseable resource = resources.remove(map);
        if (resource != null) {
            resource.close();
        }
    }

    private static Path newDirectory() {
        try {
            return Files.createTempDirectory("levelparty-tck");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
