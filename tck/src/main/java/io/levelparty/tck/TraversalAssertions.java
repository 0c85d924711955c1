package io.levelparty.tck;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The generic contracts' check of a weakly consistent traversal, for contracts that traverse a
 * map elsewhere (the party contracts of {@code levelparty-tck-party} iterate across failovers).
 * It is the same check the {@link IterationContract} and the {@link ConcurrencyContract} make, so a
 * traversal is judged alike wherever it runs.
 */
public final class TraversalAssertions {
    private TraversalAssertions() {}

    /**
     * Asserts the guarantees of a weakly consistent traversal that returned the keys {@code seen}:
     * keys in strictly increasing {@code order} (natural ordering if {@code null}), none twice,
     * every key of {@code mustSee} (keys present throughout the traversal), and none outside
     * {@code mayContain} (keys present at some time during it).
     *
     * @param what names the traversal in a failure's message
     * @throws AssertionError naming the first guarantee broken
     */
    public static void assertWeaklyConsistent(List<String> seen, Comparator<? super String> order,
            Collection<String> mustSee, Collection<String> mayContain, String what) {
        MapAssertions.assertWeaklyConsistent(seen, MapAssertions.orderOf(order), mustSee, mayContain, what);
    }
}
