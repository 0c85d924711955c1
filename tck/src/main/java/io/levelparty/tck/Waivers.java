package io.levelparty.tck;

import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;

/** Applies the waivers a contract subclass declares in {@link MapContractSupport#waivers()}. */
final class Waivers {

    private Waivers() {
    }

    /**
     * Fails if {@code waivers} names a method that is not a test of {@code contract}, and skips the
     * running test, with the reason, if it is waived.
     */
    static void check(Class<?> contract, Map<String, String> waivers, TestInfo test) {
        if (waivers.isEmpty()) {
            return;
        }
        Set<String> tests = testNames(contract);
        Set<String> unknown = new TreeSet<>(waivers.keySet());
        unknown.removeAll(tests);
        if (!unknown.isEmpty()) {
            Assertions.fail("waivers() names no test of " + contract.getSimpleName() + ": " + unknown
                    + "; its tests are " + new TreeSet<>(tests));
        }
        String name = test.getTestMethod().map(Method::getName).orElse("");
        String reason = waivers.get(name);
        Assumptions.assumeTrue(reason == null, () -> "waived: " + reason);
    }

    /** Returns the names of the test methods of {@code contract} and its superclasses. */
    static Set<String> testNames(Class<?> contract) {
        Set<String> names = new HashSet<>();
        for (Class<?> c = contract; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method method : c.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Test.class) || method.isAnnotationPresent(ParameterizedTest.class)) {
                    names.add(method.getName());
                }
            }
        }
        return names;
    }
}
