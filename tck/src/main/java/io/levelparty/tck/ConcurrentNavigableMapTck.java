package io.levelparty.tck;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentNavigableMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Nested;

/**
 * Every generic contract in one class: subclass it once, implement {@link #newMap()}, and JUnit
 * runs {@link ConcurrentNavigableMapContract}, {@link NavigableViewsContract},
 * {@link IterationContract}, {@link ConcurrencyContract}, {@link DifferentialContract} and
 * {@link SpliteratorContract} as its {@link Nested} classes.
 * <pre>{@code
 * class MyMapTckTest extends ConcurrentNavigableMapTck {
 *     @Override
 *     protected ConcurrentNavigableMap<String, String> newMap() {
 *         return new MyMap();
 *     }
 *
 *     @Override
 *     protected Set<MapFeature> features() {
 *         return EnumSet.of(MapFeature.SNAPSHOT_ENTRIES);
 *     }
 * }
 * }</pre>
 * The hooks mean what they mean in {@link MapContractSupport}, which documents them; waivers name
 * tests of any of the six contracts, and a name that is a test of none of them fails every test.
 */
public abstract class ConcurrentNavigableMapTck {

    private static final List<Class<?>> CONTRACTS = List.of(ConcurrentNavigableMapContract.class,
            NavigableViewsContract.class, IterationContract.class, ConcurrencyContract.class, DifferentialContract.class,
            SpliteratorContract.class);

    /**
     * Returns a new, empty map to test; see {@link MapContractSupport#newMap()}.
     *
     * @return a new, empty map
     */
    protected abstract ConcurrentNavigableMap<String, String> newMap();

    /**
     * Releases a map returned by {@link #newMap()}; by default, closes it if it is
     * {@link AutoCloseable}. See {@link MapContractSupport#disposeMap}.
     *
     * @param map a map returned by {@link #newMap()}
     * @throws Exception if the map cannot be released; the test then fails
     */
    protected void disposeMap(ConcurrentNavigableMap<String, String> map) throws Exception {
        if (map instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /**
     * Returns the order the map promises for its keys; natural ordering by default. See
     * {@link MapContractSupport#keyOrder()}.
     *
     * @return the promised key order
     */
    protected Comparator<String> keyOrder() {
        return Comparator.naturalOrder();
    }

    /**
     * Returns what the map promises beyond the contract; nothing by default. See
     * {@link MapContractSupport#features()}.
     *
     * @return the features the map declares
     */
    protected Set<MapFeature> features() {
        return Set.of();
    }

    /**
     * Returns the tests of any of the contracts not to run, by method name, each with the reason;
     * none by default. See {@link MapContractSupport#waivers()}.
     *
     * @return reasons, by test method name
     */
    protected Map<String, String> waivers() {
        return Map.of();
    }

    /**
     * Returns the waivers naming tests of {@code contract}, failing if any waiver names a test of
     * none of the contracts.
     */
    final Map<String, String> waivers(Class<?> contract) {
        Map<String, String> all = waivers();
        Set<String> unknown = new TreeSet<>(all.keySet());
        CONTRACTS.forEach(c -> unknown.removeAll(Waivers.testNames(c)));
        if (!unknown.isEmpty()) {
            Assertions.fail("waivers() names no test of the contracts: " + unknown);
        }
        Map<String, String> own = new HashMap<>(all);
        own.keySet().retainAll(Waivers.testNames(contract));
        return own;
    }

    /** {@link ConcurrentNavigableMapContract}: the methods of the map itself. */
    @Nested
    public class Methods extends ConcurrentNavigableMapContract {
        Methods() {
            super(ConcurrentNavigableMapTck.this);
        }
    }

    /** {@link NavigableViewsContract}: sub maps, descending maps, key sets, values and entry sets. */
    @Nested
    public class Views extends NavigableViewsContract {
        Views() {
            super(ConcurrentNavigableMapTck.this);
        }
    }

    /** {@link IterationContract}: iterators, weak consistency and large maps. */
    @Nested
    public class Iteration extends IterationContract {
        Iteration() {
            super(ConcurrentNavigableMapTck.this);
        }
    }

    /** {@link ConcurrencyContract}: atomicity and iteration under contention. */
    @Nested
    public class Concurrency extends ConcurrencyContract {
        Concurrency() {
            super(ConcurrentNavigableMapTck.this);
        }
    }

    /** {@link DifferentialContract}: random call sequences compared with a {@code TreeMap}, shrunk on failure. */
    @Nested
    public class Differential extends DifferentialContract {
        Differential() {
            super(ConcurrentNavigableMapTck.this);
        }
    }

    /** {@link SpliteratorContract}: spliterators and streams of the map's and its views' collections. */
    @Nested
    public class Spliterators extends SpliteratorContract {
        Spliterators() {
            super(ConcurrentNavigableMapTck.this);
        }
    }
}
