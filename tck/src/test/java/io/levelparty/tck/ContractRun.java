package io.levelparty.tck;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.TestAbortedException;

/**
 * Runs the tests of a contract the way JUnit runs them, a new instance for each invocation, and
 * reports how each ended, so a test can assert which tests of a contract a map fails.
 */
final class ContractRun {

    /** How one invocation of a test ended: passed, skipped (aborted) or failed, with its cause. */
    record Outcome(String test, String invocation, Throwable cause) {

        boolean failed() {
            return cause != null && !(cause instanceof TestAbortedException);
        }

        boolean skipped() {
            return cause instanceof TestAbortedException;
        }
    }

    private ContractRun() {
    }

    /** Runs every test of the contracts {@code contract} creates, each invocation on a new one. */
    static List<Outcome> all(Supplier<? extends MapContractSupport> contract) throws Exception {
        return matching(contract, name -> true);
    }

    /** Runs the tests of the contracts {@code contract} creates whose names {@code tests} accepts. */
    static List<Outcome> matching(Supplier<? extends MapContractSupport> contract, Predicate<String> tests)
            throws Exception {
        Class<?> type = contract.get().getClass();
        List<Outcome> outcomes = new ArrayList<>();
        for (Method method : testMethods(type)) {
            if (!tests.test(method.getName())) {
                continue;
            }
            for (Object argument : arguments(method)) {
                outcomes.add(invoke(contract.get(), method, argument));
            }
        }
        return outcomes;
    }

    /** Returns the names of the tests that failed at least once. */
    static Set<String> failedTests(List<Outcome> outcomes) {
        return outcomes.stream().filter(Outcome::failed).map(Outcome::test).collect(Collectors.toSet());
    }

    private static List<Method> testMethods(Class<?> type) {
        List<Method> methods = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method method : c.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Test.class) || method.isAnnotationPresent(ParameterizedTest.class)) {
                    methods.add(method);
                }
            }
        }
        return methods;
    }

    /** Returns the arguments of each invocation: one {@code null} for a plain test. */
    private static List<Object> arguments(Method method) throws Exception {
        MethodSource source = method.getAnnotation(MethodSource.class);
        if (source == null) {
            return Collections.singletonList(null);
        }
        Method factory = method.getDeclaringClass().getDeclaredMethod(source.value()[0]);
        factory.setAccessible(true);
        List<Object> arguments = new ArrayList<>();
        ((Stream<?>) factory.invoke(null)).forEach(a -> arguments.add(a instanceof Named<?> named ? named : a));
        return arguments;
    }

    private static Outcome invoke(MapContractSupport contract, Method method, Object argument) throws Exception {
        String invocation = argument == null ? method.getName() : method.getName() + "[" + argument + "]";
        Object payload = argument instanceof Named<?> named ? named.getPayload() : argument;
        Throwable cause = null;
        try {
            contract.createMapUnderTest(testInfo(contract.getClass(), method, invocation));
            method.setAccessible(true);
            if (payload == null) {
                method.invoke(contract);
            } else {
                method.invoke(contract, payload);
            }
        } catch (InvocationTargetException e) {
            cause = e.getCause();
        } catch (TestAbortedException | AssertionError e) {
            cause = e;
        } finally {
            contract.disposeCreatedMaps();
        }
        return new Outcome(method.getName(), invocation, cause);
    }

    private static TestInfo testInfo(Class<?> type, Method method, String displayName) {
        return new TestInfo() {
            @Override
            public String getDisplayName() {
                return displayName;
            }

            @Override
            public Set<String> getTags() {
                return Set.of();
            }

            @Override
            public Optional<Class<?>> getTestClass() {
                return Optional.of(type);
            }

            @Override
            public Optional<Method> getTestMethod() {
                return Optional.of(method);
            }
        };
    }
}
