package io.levelparty.tck.conformance;

import junit.framework.Test;
import org.junit.runner.RunWith;
import org.junit.runners.AllTests;

/**
 * Guava testlib's {@code ConcurrentNavigableMap} conformance suite on {@code PartyMap}s in follower
 * mode: the second open of a directory, the first leading, in the same JVM. ASCII keys only: keys
 * are encoded and ordered by the same code in both modes, which {@link PartyMapConformanceTest}
 * tests beyond the BMP too. A map is emptied after its test and handed to a later one (see
 * {@link PartyMapSource#followers()}).
 */
@RunWith(AllTests.class)
public class PartyMapFollowerConformanceTest {
    private static Test suite;

    /** Returns the suite, built once: the JUnit Platform asks for it more than once per run. */
    public static synchronized Test suite() {
        if (suite == null) {
            suite = ConformanceSuites.asciiSuite("PartyMap, follower mode", PartyMapSource.followers());
        }
        return suite;
    }
}
