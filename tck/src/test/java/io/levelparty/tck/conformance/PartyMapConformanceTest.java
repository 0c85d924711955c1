package io.levelparty.tck.conformance;

import junit.framework.Test;
import junit.framework.TestSuite;
import org.junit.runner.RunWith;
import org.junit.runners.AllTests;

/**
 * Guava testlib's {@code ConcurrentNavigableMap} conformance suite on {@code PartyMap}s, in leader
 * mode and in follower mode (the second open of a directory, the first leading). A map is emptied
 * after its test and handed to a later one (see {@link PartyMapSource}). Follower mode runs with
 * ASCII keys only: keys are encoded and ordered by the same code in both modes, which leader mode
 * tests beyond the BMP too. Leader mode runs once more, with ASCII keys, on the Java LevelDB
 * engine: a map there reads and writes through the other engine's code, down to its iterators.
 */
@RunWith(AllTests.class)
public class PartyMapConformanceTest {
    private static Test suite;

    /** Returns the suite, built once: the JUnit Platform asks for it more than once per run. */
    public static synchronized Test suite() {
        if (suite == null) {
            TestSuite all = new TestSuite("PartyMap");
            all.addTest(ConformanceSuites.suite("PartyMap, leader mode", PartyMapSource.leaders()));
            all.addTest(ConformanceSuites.asciiSuite("PartyMap, follower mode", PartyMapSource.followers()));
            all.addTest(ConformanceSuites.asciiSuite("PartyMap, leader mode on the Java engine",
                    PartyMapSource.javaEngineLeaders()));
            suite = all;
        }
        return suite;
    }
}
