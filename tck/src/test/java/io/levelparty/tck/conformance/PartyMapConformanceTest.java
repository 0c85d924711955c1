package io.levelparty.tck.conformance;

import junit.framework.Test;
import junit.framework.TestSuite;
import org.junit.runner.RunWith;
import org.junit.runners.AllTests;

/**
 * Guava testlib's {@code ConcurrentNavigableMap} conformance suite on {@code PartyMap}s in leader
 * mode, once with the native LevelDB engine and once, with ASCII keys only, on the Java engine: a
 * map there reads and writes through the other engine's code, down to its iterators. A map is
 * emptied after its test and handed to a later one (see {@link PartyMapSource}). Follower mode is
 * {@link PartyMapFollowerConformanceTest}, a class of its own so that a build running test
 * classes in two JVMs runs it beside this one.
 */
@RunWith(AllTests.class)
public class PartyMapConformanceTest {
    private static Test suite;

    /** Returns the suite, built once: the JUnit Platform asks for it more than once per run. */
    public static synchronized Test suite() {
        if (suite == null) {
            TestSuite all = new TestSuite("PartyMap");
            all.addTest(ConformanceSuites.suite("PartyMap, leader mode", PartyMapSource.leaders()));
            all.addTest(ConformanceSuites.asciiSuite("PartyMap, leader mode on the Java engine",
                    PartyMapSource.javaEngineLeaders()));
            suite = all;
        }
        return suite;
    }
}
