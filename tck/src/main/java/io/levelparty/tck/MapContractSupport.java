package io.levelparty.tck;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Common base of the contract classes: it creates the map under test before each test and disposes
 * of every map a test created after it.
 *
 * <p>A subclass implements {@link #newMap()} and, if closing is not the way to release a map,
 * overrides {@link #disposeMap}. Each test gets a fresh map in {@link #map}. Every test, and each
 * set-up and tear-down step, is stopped after two minutes, so a map that hangs fails the test rather
 * than the build.
 *
 * <h2>Describing the map under test</h2>
 * <ul>
 *   <li>{@link #keyOrder()}: the order the map promises for its keys, natural ordering unless
 *       overridden. Every expected result is computed by a {@link TreeMap} with this order, never
 *       with the map's own {@code comparator()}, which is checked against it in tests of its
 *       own.</li>
 *   <li>{@link #features()}: what the map promises beyond the interfaces, such as the
 *       {@link java.util.AbstractMap} format of {@code toString}; see {@link MapFeature}. Tests of
 *       an undeclared feature are skipped.</li>
 *   <li>{@link #waivers()}: tests not to run, each with the reason. A waived test is reported as
 *       skipped (aborted by a failed assumption) with {@code "waived: "} and the reason as its
 *       message, so the reason appears in the test report next to the test.</li>
 * </ul>
 * <pre>{@code
 * @Override
 * protected Set<MapFeature> features() {
 *     return EnumSet.of(MapFeature.SNAPSHOT_ENTRIES, MapFeature.ABSTRACT_MAP_TO_STRING);
 * }
 *
 * @Override
 * protected Map<String, String> waivers() {
 *     return Map.of("keysBeyondAsciiAreOrderedConsistently", "keys are stored as Latin-1, see issue 12");
 * }
 * }</pre>
 * Test methods are public, so a subclass may also override one, call {@code super} or not, and
 * annotate it as JUnit allows.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class MapContractSupport {

    /** The map under test: a fresh, empty map from {@link #newMap()}, created before each test. */
    protected ConcurrentNavigableMap<String, String> map;

    private final List<ConcurrentNavigableMap<String, String>> created = new ArrayList<>();

    /** The suite this contract runs in as a nested class, whose hooks are its defaults; {@code null} if none. */
    private final ConcurrentNavigableMapTck suite;

    /** Creates a contract that is subclassed on its own, with its own hooks. */
    protected MapContractSupport() {
        this(null);
    }

    /** Creates a contract that runs as a nested class of {@code suite} and takes its hooks. */
    MapContractSupport(ConcurrentNavigableMapTck suite) {
        this.suite = suite;
    }

    /**
     * Returns a new, empty map to test. Each call must return a map that shares no entries with
     * maps returned before. Tests call it once or twice, so it may take a few milliseconds. A
     * subclass must override it, unless it runs as a nested class of a
     * {@link ConcurrentNavigableMapTck}, whose {@code newMap()} it then calls.
     *
     * @return a new, empty map
     */
    protected ConcurrentNavigableMap<String, String> newMap() {
        if (suite == null) {
            throw new IllegalStateException(getClass().getName() + " must override newMap()");
        }
        return suite.newMap();
    }

    /**
     * Releases a map returned by {@link #newMap()}; called after each test for every map the test
     * created. By default, closes the map if it is {@link AutoCloseable}.
     *
     * @param map a map returned by {@link #newMap()}
     * @throws Exception if the map cannot be released; the test then fails
     */
    protected void disposeMap(ConcurrentNavigableMap<String, String> map) throws Exception {
        if (suite != null) {
            suite.disposeMap(map);
        } else if (map instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /**
     * Returns the order the map under test promises for its keys, which its {@code comparator()}
     * must also impose; natural ordering by default. Expected orders and contents are computed with
     * it.
     *
     * @return the promised key order
     */
    protected Comparator<String> keyOrder() {
        return suite != null ? suite.keyOrder() : Comparator.naturalOrder();
    }

    /**
     * Returns what the map under test promises beyond the {@link ConcurrentNavigableMap}
     * contract; by default nothing. Tests of a feature not returned here are skipped.
     *
     * @return the features the map declares
     */
    protected Set<MapFeature> features() {
        return suite != null ? suite.features() : Set.of();
    }

    /**
     * Returns the tests not to run, by method name (every invocation of a parameterized test),
     * each with the reason it is waived; by default none. A name that is not a test of this class
     * fails every test, so a waiver does not silently outlive a renamed test.
     *
     * @return reasons, by test method name
     */
    protected Map<String, String> waivers() {
        return suite != null ? suite.waivers(getClass()) : Map.of();
    }

    @BeforeEach
    final void createMapUnderTest(TestInfo test) {
        Waivers.check(getClass(), waivers(), test);
        map = createMap();
    }

    /** Returns whether the map under test declares {@code feature} in {@link #features()}. */
    final boolean declares(MapFeature feature) {
        return features().contains(feature);
    }

    /** Skips the rest of the test unless the map under test declares {@code feature}. */
    final void assumeDeclared(MapFeature feature) {
        Assumptions.assumeTrue(declares(feature),
                () -> "the map does not declare MapFeature." + feature + " in features()");
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

    /**
     * Disposes of a map from {@link #createMap()} at once rather than after the test, for tests that
     * go through many maps.
     */
    final void dispose(ConcurrentNavigableMap<String, String> done) {
        created.removeIf(m -> m == done);
        try {
            disposeMap(done);
        } catch (Exception e) {
            throw new IllegalStateException("disposeMap failed", e);
        }
    }

    /** Returns an empty map that sorts keys in the promised {@link #keyOrder()}, to hold expected entries. */
    final TreeMap<String, String> expectedMap() {
        return new TreeMap<>(keyOrder());
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

    /** Returns the keys of {@link TestKeys#universe()} in the promised {@link #keyOrder()}. */
    final List<String> sortedUniverse() {
        return MapAssertions.sorted(TestKeys.universe(), keyOrder());
    }
}
