package io.levelparty.tck.conformance;

import junit.framework.Test;
import org.junit.runner.RunWith;
import org.junit.runners.AllTests;

/**
 * Guava testlib's {@code ConcurrentNavigableMap} conformance suite on leader-mode
 * {@code PartyMap}s: every map the suite asks for is {@code LevelParty.open} on a new, empty
 * directory, closed and deleted after the test that made it.
 */
@RunWith(AllTests.class)
public class PartyMapConformanceTest {
    private static Test suite;

    /** Returns the suite, built once: the JUnit Platform asks for it more than once per run. */
    public static synchronized Test suite() {
        if (suite == null) {
            suite = ConformanceSuites.suite("PartyMap", new PartyMapSource());
        }
        return suite;
    }
}
