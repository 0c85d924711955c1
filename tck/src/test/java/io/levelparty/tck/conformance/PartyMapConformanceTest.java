package io.levelparty.tck.conformance;

import junit.framework.Test;
import junit.framework.TestSuite;
import org.junit.runner.RunWith;
import org.junit.runners.AllTests;

/**
 * Guava testlib's {@code ConcurrentNavigableMap} conformance suite on {@code PartyMap}s, in leader
 * mode and in follower mode: every map the suite asks for is opened on a new, empty directory (in
 * follower mode, the second open of it, the first leading), closed and deleted after the test that
 * made it. Follower mode runs with ASCII keys only: keys are encoded and ordered by the same code
 * in both modes, which leader mode tests beyond the BMP too, and a follower map (with its leader) takes
 * more than twice as long to open: with both key sets this would be the longest run of the build.
 * Leader mode runs once more, with ASCII keys, on the Java LevelDB engine: a map there reads and
 * writes through the other engine's code, down to its iterators.
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
