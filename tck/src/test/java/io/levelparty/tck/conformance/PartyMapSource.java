package io.levelparty.tck.conformance;

import io.levelparty.Codecs;
import io.levelparty.LevelParty;
import io.levelparty.PartyMap;
import io.levelparty.PartyOptions;
import io.levelparty.Role;
import io.levelparty.StorageEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.stream.Stream;

/**
 * {@link PartyMap}s from {@link LevelParty#open}, each on a directory of its own under one
 * temporary root ({@linkplain #tempParent() in memory} where possible): in leader mode, or in
 * follower mode, where the first open of the directory is kept as the leader and the second,
 * a follower in the same JVM, is the map handed out. {@link #releaseMaps()}, which the suite runs
 * after each test, empties every map the test was handed and keeps it for a later test, so that
 * a map's database soon holds the deletions and overwrites of many tests before, as a long-lived
 * map's does (a new database is what each map starts with, and what {@code MapTckTest} opens for
 * every map); {@link #close()} closes them all and deletes the root.
 *
 * <p>Why not a new directory for every map: Guava's iterator tests make a map for each of the
 * hundreds of sequences of iterator calls they try, so the suite asks for about 190,000 maps;
 * opening a database for each took the leader-mode suite seven minutes, five of them in those
 * tests, against one minute with maps reused.
 */
final class PartyMapSource implements MapSource {
    /** A map handed out, and the leader it reaches if it is a follower (else null). */
    private record Opened(PartyMap<String> map, PartyMap<String> leader, Path dir) {}

    private final boolean followers;
    /** The options of the maps that lead: their engine. */
    private final PartyOptions<String> leaderOptions;
    /** Released maps, empty, to hand out again. */
    private final Deque<Opened> idle = new ArrayDeque<>();
    private final Path root;
    private final List<Opened> open = new ArrayList<>();
    private long opened;

    /** Returns a source of leader-mode maps. */
    static PartyMapSource leaders() {
        return new PartyMapSource(false, PartyOptions.of(Codecs.utf8()));
    }

    /** Returns a source of leader-mode maps whose LevelDB runs on the Java engine. */
    static PartyMapSource javaEngineLeaders() {
        return new PartyMapSource(false, PartyOptions.of(Codecs.utf8()).engine(StorageEngine.JAVA));
    }

    /**
     * Returns a source of follower-mode maps; as a map is reused, its cache is invalidated over
     * and over, as a long-lived follower's is.
     */
    static PartyMapSource followers() {
        return new PartyMapSource(true, PartyOptions.of(Codecs.utf8()));
    }

    private PartyMapSource(boolean followers, PartyOptions<String> leaderOptions) {
        this.followers = followers;
        this.leaderOptions = leaderOptions;
        try {
            root = Files.createTempDirectory(tempParent(), "levelparty-conformance-");
            // For a suite built but never run: the root is empty between tests, so this removes it.
            root.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Returns where to make the root: {@code /dev/shm} where there is one, so that the suite's
     * tens of thousands of writes a second do not wait for a disk. The system property
     * {@code levelparty.conformance.dir} names another parent.
     */
    private static Path tempParent() {
        String configured = System.getProperty("levelparty.conformance.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    @Override
    public synchronized ConcurrentNavigableMap<String, String> newMap() {
        Opened reused = idle.poll();
        if (reused != null) {
            open.add(reused);
            return reused.map();
        }
        Path dir = root.resolve("map-" + ++opened);
        PartyMap<String> first = LevelParty.open(dir, leaderOptions);
        if (!followers) {
            open.add(new Opened(first, null, dir));
            return first;
        }
        PartyMap<String> follower = LevelParty.open(dir, Codecs.utf8());
        open.add(new Opened(follower, first, dir));
        if (follower.role() != Role.FOLLOWER) {
            throw new IllegalStateException("The second open of " + dir + " is " + follower.role());
        }
        return follower;
    }

    @Override
    public synchronized void releaseMaps() {
        RuntimeException failure = null;
        for (Opened o : open) {
            try {
                o.map().clear();
                idle.add(o);
            } catch (RuntimeException e) {
                discard(o); // whatever its test left it in, no later test gets it
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        open.clear();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public synchronized void close() {
        releaseMaps();
        idle.forEach(PartyMapSource::discard);
        idle.clear();
        deleteRecursively(root);
    }

    /** Closes {@code o}'s map and its leader, and deletes its directory. */
    private static void discard(Opened o) {
        o.map().close();
        if (o.leader() != null) {
            o.leader().close();
        }
        deleteRecursively(o.dir());
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
