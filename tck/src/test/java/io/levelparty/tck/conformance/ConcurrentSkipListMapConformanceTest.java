package io.levelparty.tck.conformance;

import junit.framework.Test;
import org.junit.runner.RunWith;
import org.junit.runners.AllTests;

/**
 * The control: Guava testlib's conformance suite on {@code ConcurrentSkipListMap} in code-point
 * order. It must pass entirely, which shows that the suite and its generators are right, so that
 * any failure of {@link PartyMapConformanceTest} is the map's.
 */
@RunWith(AllTests.class)
public class ConcurrentSkipListMapConformanceTest {
    private static Test suite;

    /** Returns the suite, built once: the JUnit Platform asks for it more than once per run. */
    public static synchronized Test suite() {
        if (suite == null) {
            suite = ConformanceSuites.suite("ConcurrentSkipListMap", new SkipListMapSource());
        }
        return suite;
    }
}
