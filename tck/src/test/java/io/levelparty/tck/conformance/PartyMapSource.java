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
 * {@link PartyMap}s from {@link LevelParty#open}, each on a new directory of its own under one
 * temporary root ({@linkplain #tempParent() in memory} where possible): in leader mode, or in
 * follower mode, where the first open of the directory is kept as the leader and the second,
 * a follower in the same JVM, is the map handed out. Every map handed out is closed (with its
 * leader), and its directory deleted, by {@link #releaseMaps()}, which the suite runs after each
 * test, except the Java engine's and the followers, which it empties for a later test instead (see
 * {@link #javaEngineLeaders()} and {@link #followers()}); {@link #close()} closes those and deletes
 * the root.
 */
final class PartyMapSource implements MapSource {
    /** A map handed out, and the leader it reaches if it is a follower (else null). */
    private record Opened(PartyMap<String> map, PartyMap<String> leader, Path dir) {}

    private final boolean followers;
    /** The options of the maps that lead: their engine. */
    private final PartyOptions<String> leaderOptions;
    /**
     * Whether a released map is emptied and handed out again rather than closed: for the Java
     * engine, whose databases take several times as long as native ones to create, and for
     * followers, each of which takes a leader and a connection to open; over the suite's tens of
     * thousands of maps either would take many minutes.
     */
    private final boolean reuse;
    /** Released maps, empty, to hand out again when {@link #reuse}. */
    private final Deque<Opened> idle = new ArrayDeque<>();
    private final Path root;
    private final List<Opened> open = new ArrayList<>();
    private long opened;

    /** Returns a source of leader-mode maps. */
    static PartyMapSource leaders() {
        return new PartyMapSource(false, PartyOptions.of(Codecs.utf8()), false);
    }

    /**
     * Returns a source of leader-mode maps whose LevelDB runs on the Java engine; a map a test
     * released is emptied and handed to a later test, so that its database then holds the
     * deletions and overwrites of many tests before, as a long-lived map's does.
     */
    static PartyMapSource javaEngineLeaders() {
        return new PartyMapSource(false, PartyOptions.of(Codecs.utf8()).engine(StorageEngine.JAVA), true);
    }

    /**
     * Returns a source of follower-mode maps; a map a test released is emptied and handed to a
     * later test, so that its leader's database holds the deletions of many tests before and its
     * cache has been invalidated over and over, as a long-lived follower's has. Leader mode opens a
     * new directory for every map, which covers a fresh database.
     */
    static PartyMapSource followers() {
        return new PartyMapSource(true, PartyOptions.of(Codecs.utf8()), true);
    }

    private PartyMapSource(boolean followers, PartyOptions<String> leaderOptions, boolean reuse) {
        this.followers = followers;
        this.leaderOptions = leaderOptions;
        this.reuse = reuse;
        try {
            root = Files.createTempDirectory(tempParent(), "levelparty-conformance-");
            // For a suite built but never run: the root is empty between tests, so this removes it.
            root.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Returns where to make the root: {@code /dev/shm} where there is one. The suite opens about
     * 190,000 maps; on a disk LevelDB's syncs when it creates a database make that several
     * milliseconds a map, in memory a fraction of one. The system property
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
                if (reuse) {
                    o.map().clear();
                    idle.add(o);
                    continue;
                }
                o.map().close();
                if (o.leader() != null) {
                    o.leader().close();
                }
                deleteRecursively(o.dir());
            } catch (RuntimeException e) {
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
        for (Opened o : idle) {
            o.map().close();
            if (o.leader() != null) {
                o.leader().close();
            }
            deleteRecursively(o.dir());
        }
        idle.clear();
        deleteRecursively(root);
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
