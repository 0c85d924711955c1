package io.levelparty.tck.conformance;

import com.google.common.collect.testing.ConcurrentNavigableMapTestSuiteBuilder;
import com.google.common.collect.testing.features.CollectionFeature;
import com.google.common.collect.testing.features.CollectionSize;
import com.google.common.collect.testing.features.MapFeature;
import com.google.common.collect.testing.testers.MapEntrySetTester;
import java.lang.reflect.Method;
import java.util.List;
import junit.extensions.TestDecorator;
import junit.extensions.TestSetup;
import junit.framework.AssertionFailedError;
import junit.framework.Test;
import junit.framework.TestResult;
import junit.framework.TestSuite;

/**
 * Guava testlib's {@code ConcurrentNavigableMap} conformance suite, as run for the control
 * ({@code ConcurrentSkipListMap}) and for {@code PartyMap}: the same features and the same
 * suppressions for both.
 */
final class ConformanceSuites {
    private ConformanceSuites() {}

    /**
     * Tests that call {@code Map.Entry.setValue} on entries of the entry set and expect it to write
     * through. {@code ConcurrentSkipListMap}'s entries are immutable snapshots, so Guava's own
     * suites for it suppress exactly these; {@code PartyMap}'s javadoc states the same ("Entries
     * returned by iterators and navigation methods are immutable snapshots:
     * {@code Map.Entry.setValue} is not supported").
     */
    static List<Method> entrySetValueTests() {
        return List.of(
                MapEntrySetTester.getSetValueMethod(),
                MapEntrySetTester.getSetValueWithNullValuesAbsentMethod(),
                MapEntrySetTester.getSetValueWithNullValuesPresentMethod(),
                MapEntrySetTester.getIteratorSetValueAndRemove());
    }

    /**
     * Returns the suite for maps from {@code source}, once with Guava's ASCII samples and once with
     * keys beyond the Basic Multilingual Plane. The maps a test created are released after it, and
     * the source is closed after the whole suite.
     */
    static Test suite(String name, MapSource source) {
        return suite(name, source, true);
    }

    /**
     * As {@link #suite(String, MapSource)}, but with ASCII keys only: for a map whose key handling
     * is the same code as that of a map tested with both, in half the time.
     */
    static Test asciiSuite(String name, MapSource source) {
        return suite(name, source, false);
    }

    private static Test suite(String name, MapSource source, boolean beyondBmp) {
        TestSuite suite = new TestSuite(name);
        suite.addTest(flatten(build(name + ", ASCII keys", CodePointMapGenerator.ascii(source)), source));
        if (beyondBmp) {
            suite.addTest(flatten(build(name + ", keys beyond the BMP", CodePointMapGenerator.beyondBmp(source)),
                    source));
        }
        // Building the suite already created maps: sub map generators ask one for its comparator.
        source.releaseMaps();
        return new TestSetup(suite) {
            @Override
            protected void tearDown() {
                source.close();
            }
        };
    }

    private static TestSuite build(String name, CodePointMapGenerator generator) {
        return ConcurrentNavigableMapTestSuiteBuilder.using(generator)
                .named(name)
                .withFeatures(
                        MapFeature.GENERAL_PURPOSE,
                        CollectionFeature.SUPPORTS_ITERATOR_REMOVE,
                        CollectionFeature.KNOWN_ORDER,
                        CollectionSize.ANY)
                .suppressing(entrySetValueTests())
                .createTestSuite();
    }

    /**
     * Returns the test cases of {@code suite} in one flat suite, each followed by
     * {@link MapSource#releaseMaps()} and reporting its failures under its full name. The
     * builders' {@code withTearDown} would not do: testlib does not pass it on to the suites of
     * descending maps and sets, nor to any suite derived from those.
     *
     * <p>Flat, because the tree testlib builds is deep and has thousands of suites named after
     * tester classes, which the JUnit Platform takes for test classes: Surefire then rewrites its
     * XML report after each (quadratic in the number of tests) and walks up the tree for every
     * event. Nothing is lost, since each test's name carries its whole path of suites.
     */
    private static TestSuite flatten(TestSuite suite, MapSource source) {
        TestSuite flat = new TestSuite(suite.getName());
        addFlat(suite, flat, source);
        return flat;
    }

    private static void addFlat(Test test, TestSuite flat, MapSource source) {
        if (test instanceof TestSuite suite) {
            for (int i = 0; i < suite.testCount(); i++) {
                addFlat(suite.testAt(i), flat, source);
            }
        } else {
            flat.addTest(new ConformanceTest(test, source));
        }
    }

    /** A test case followed by {@link MapSource#releaseMaps()}, as part of it. */
    private static final class ConformanceTest extends TestDecorator {
        private final MapSource source;

        ConformanceTest(Test test, MapSource source) {
            super(test);
            this.source = source;
        }

        @Override
        public void run(TestResult result) {
            basicRun(new NamingResult(result, source::releaseMaps));
        }
    }

    /**
     * Passes events on to another result, with the full name of the test (such as
     * {@code testPut_supportedPresent[PartyMap, ASCII keys [collection size: several] descending
     * [collection size: several]]}) put before each failure's message, and runs {@code afterEach}
     * as part of the test, once it is done. The JUnit Platform reports test cases by their method
     * name alone, which does not tell which of hundreds of variants of the map failed.
     */
    private static final class NamingResult extends TestResult {
        private final TestResult target;
        private final Runnable afterEach;

        NamingResult(TestResult target, Runnable afterEach) {
            this.target = target;
            this.afterEach = afterEach;
        }

        @Override
        public void startTest(Test test) {
            target.startTest(test);
        }

        @Override
        public void endTest(Test test) {
            runProtected(test, afterEach::run);
            target.endTest(test);
        }

        @Override
        public boolean shouldStop() {
            return target.shouldStop();
        }

        @Override
        public void addFailure(Test test, AssertionFailedError e) {
            AssertionFailedError named = new AssertionFailedError(test + ": " + e.getMessage());
            named.setStackTrace(e.getStackTrace());
            target.addFailure(test, named);
        }

        @Override
        public void addError(Test test, Throwable e) {
            IllegalStateException named = new IllegalStateException(test + " threw " + e, e);
            named.setStackTrace(e.getStackTrace());
            target.addError(test, named);
        }
    }
}
