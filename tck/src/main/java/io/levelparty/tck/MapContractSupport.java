package io.levelparty.tck;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * Common base of the contract classes: it creates the map under test before each test and disposes
 * of every map a test created after it.
 *
 * <p>A subclass implements {@link #newMap()} and, if closing is not the way to release a map,
 * overrides {@link #disposeMap}. Each test gets a fresh map in {@link #map}. Every test, and each
 * set-up and tear-down step, is stopped after two minutes, so a map that hangs fails the test rather
 * than the build.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class MapContractSupport {

    /** The map under test: a fresh, empty map from {@link #newMap()}, created before each test. */
    protected ConcurrentNavigableMap<String, String> map;

    private final List<ConcurrentNavigableMap<String, String>> created = new ArrayList<>();

    /**
     * Returns a new, empty map to test. Each call must return a map that shares no entries with
     * maps returned before. Tests call it once or twice, so it may take a few milliseconds.
     *
     * @return a new, empty map
     */
    protected abstract ConcurrentNavigableMap<String, String> newMap();

    /**
     * Releases a map returned by {@link #newMap()}; called after each test for every map the test
     * created. By default, closes the map if it is {@link AutoCloseable}.
     *
     * @param map a map returned by {@link #newMap()}
     * @throws Exception if the map cannot be released; the test then fails
     */
    protected void disposeMap(ConcurrentNavigableMap<String, String> map) throws Exception {
        if (map instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @BeforeEach
    final void createMapUnderTest() {
        map = createMap();
    }

    @AfterEach
    final void disposeCreatedMaps() throws Exception {
        Exception failure = null;
        for (ConcurrentNavigableMap<String, String> m : created) {
            try {
                disposeMap(m);
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        created.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Returns a further new map from {@link #newMap()}, checked to be empty, and disposed of after
     * the test like {@link #map}.
     *
     * @return a new, empty map
     */
    protected final ConcurrentNavigableMap<String, String> createMap() {
        ConcurrentNavigableMap<String, String> created = newMap();
        assertNotNull(created, "newMap() returned null");
        this.created.add(created);
        assertTrue(created.isEmpty(), "newMap() must return an empty map");
        assertNull(created.firstEntry(), "newMap() must return an empty map");
        return created;
    }

    /** Returns the order of the map under test: its comparator, or natural ordering. */
    final Comparator<String> keyOrder() {
        return MapAssertions.orderOf(map.comparator());
    }

    /** Returns an empty map that sorts keys as the map under test does, to hold expected entries. */
    final TreeMap<String, String> expectedMap() {
        return new TreeMap<>(map.comparator());
    }

    /**
     * Puts each key with its {@link TestKeys#valueOf value} into the map under test, one by one.
     *
     * @return a map with the same entries, sorted the same way, to compare the map under test with
     */
    final TreeMap<String, String> fill(Collection<String> keys) {
        TreeMap<String, String> expected = expectedMap();
        for (String key : keys) {
            map.put(key, TestKeys.valueOf(key));
            expected.put(key, TestKeys.valueOf(key));
        }
        return expected;
    }

    /**
     * Returns the keys of {@code sortedUniverse} that a view shape covers: the shape applied to a map
     * holding all of them.
     */
    final NavigableMap<String, String> rangeOf(ViewShape shape, List<String> sortedUniverse) {
        TreeMap<String, String> all = expectedMap();
        sortedUniverse.forEach(k -> all.put(k, TestKeys.valueOf(k)));
        return shape.of(all, sortedUniverse);
    }

    /** Returns the keys of {@link TestKeys#universe()} in the order of the map under test. */
    final List<String> sortedUniverse() {
        return MapAssertions.sorted(TestKeys.universe(), keyOrder());
    }
}
