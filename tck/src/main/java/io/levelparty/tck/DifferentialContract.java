package io.levelparty.tck;

import static io.levelparty.tck.MapAssertions.entries;
import static io.levelparty.tck.MapAssertions.quote;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * A differential test of a {@link ConcurrentNavigableMap}{@code <String, String>}: random sequences
 * of calls are made on the map under test and on a {@link TreeMap} in the promised
 * {@link #keyOrder()}, and after every call its result and the whole content of both maps must be
 * the same. A disagreement is shrunk to a short sequence that still disagrees (see
 * {@link SequenceShrinker}), and the test fails with that sequence printed as Java statements, each
 * with what the map returned, and the seed that generated it.
 *
 * <p>Use it like {@link ConcurrentNavigableMapContract}: subclass it and implement
 * {@link #newMap()}. A sequence draws its calls from every method whose result one thread can
 * predict ({@link DifferentialOperation}): writes, the atomic operations, navigation, polls,
 * {@code first}/{@code last}, {@code size}, iteration and removal through an iterator, and
 * {@code clear}; a third of them on a sub, head, tail or descending view, including writes of keys
 * outside the view, which must throw {@link IllegalArgumentException} as the {@link TreeMap}'s do.
 * Keys come from a pool of a few ASCII keys and keys whose UTF-16 and code-point orders differ, so
 * that calls collide. Calls passing {@code null} are checked against the contract and the declared
 * {@link MapFeature}s rather than against the {@link TreeMap}, which accepts {@code null} values.
 *
 * <h2>Knobs</h2>
 * System properties set how much is run: {@value #SEQUENCES_PROPERTY} sequences (default
 * {@value #DEFAULT_SEQUENCES}) of {@value #STEPS_PROPERTY} calls (default {@value #DEFAULT_STEPS}),
 * the first generated from the seed {@value #SEED_PROPERTY} (default {@value #DEFAULT_SEED}) and
 * each next one from the seed after it, so a run is repeatable and a reported seed, with one
 * sequence, replays the failing sequence alone.
 */
public abstract class DifferentialContract extends MapContractSupport {

    /** System property: how many sequences to run. */
    static final String SEQUENCES_PROPERTY = "levelparty.tck.differential.sequences";
    /** System property: how many calls each sequence makes. */
    static final String STEPS_PROPERTY = "levelparty.tck.differential.steps";
    /** System property: the seed of the first sequence. */
    static final String SEED_PROPERTY = "levelparty.tck.differential.seed";

    private static final int DEFAULT_SEQUENCES = 12;
    private static final int DEFAULT_STEPS = 60;
    private static final long DEFAULT_SEED = 1;

    /** Replays a shrinking may make at most. */
    private static final int MAX_REPLAYS = 2000;

    /** The keys calls use, simplest first, as the shrinker tries them. */
    private static final List<String> KEYS = List.of(TestKeys.key(0), TestKeys.key(1), TestKeys.key(2), TestKeys.key(3),
            TestKeys.key(4), TestKeys.key(5), TestKeys.key(6), TestKeys.key(7), "", "\uE000", "\uD83D\uDE00");

    /** The values calls use, simplest first. */
    private static final List<String> VALUES = List.of("a", "b", "c");

    /** Operations drawn, with puts weighted up so that maps fill. */
    private static final List<DifferentialOperation> DRAWN = drawn();

    /** What a call that threw returned, for comparison: the type of the exception. */
    private record Thrown(Class<?> type) {
        boolean accepts(Object outcome) {
            return outcome instanceof Thrown thrown && type.isAssignableFrom(thrown.type);
        }

        @Override
        public String toString() {
            return "throws " + type.getSimpleName();
        }
    }

    /** An expected outcome that accepts any result: the call may do anything but change the map. */
    private static final Object ANY_RESULT = new Object() {
        @Override
        public String toString() {
            return "anything, changing nothing";
        }
    };

    /** The first disagreement of a replay: the step and what the map did wrong. */
    private record Disagreement(int step, String what) {
    }

    /** Creates the contract, to be subclassed on its own. */
    protected DifferentialContract() {
    }

    /** Creates the contract as a nested class of {@code suite}. */
    DifferentialContract(ConcurrentNavigableMapTck suite) {
        super(suite);
    }

    @Test
    public void randomOperationSequencesAgreeWithATreeMap() {
        int sequences = Integer.getInteger(SEQUENCES_PROPERTY, DEFAULT_SEQUENCES);
        int length = Integer.getInteger(STEPS_PROPERTY, DEFAULT_STEPS);
        long firstSeed = Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
        for (int i = 0; i < sequences; i++) {
            long seed = firstSeed + i;
            List<DifferentialStep> steps = generate(new Random(seed), length);
            Disagreement disagreement = replayOnANewMap(steps, new ArrayList<>());
            if (disagreement != null) {
                Assertions.fail(reproducer(steps, disagreement, seed));
            }
        }
    }

    /** Returns {@code length} random steps. */
    private List<DifferentialStep> generate(Random random, int length) {
        List<DifferentialStep> steps = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            DifferentialOperation operation = DRAWN.get(random.nextInt(DRAWN.size()));
            DifferentialView view = operation.passesNull() || random.nextInt(3) != 0
                    ? DifferentialView.WHOLE : randomView(random);
            steps.add(new DifferentialStep(view, operation, pick(random, KEYS), pick(random, VALUES),
                    pick(random, VALUES)));
        }
        return steps;
    }

    private DifferentialView randomView(Random random) {
        List<String> bounds = MapAssertions.sorted(List.of(pick(random, KEYS), pick(random, KEYS)), keyOrder());
        String low = bounds.get(0);
        String high = bounds.get(bounds.size() - 1);
        boolean descending = random.nextBoolean();
        return switch (random.nextInt(3)) {
            case 0 -> new DifferentialView(low, random.nextBoolean(), high, random.nextBoolean(), descending);
            case 1 -> new DifferentialView(null, false, high, random.nextBoolean(), descending);
            default -> new DifferentialView(low, random.nextBoolean(), null, false, descending);
        };
    }

    private static <T> T pick(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /**
     * Makes the calls on {@code tested}, which must be empty, and on a new {@link TreeMap}, recording
     * in {@code results} what each call on {@code tested} returned, until the first disagreement.
     *
     * @return the first disagreement, or {@code null} if there is none
     */
    private Disagreement replay(List<DifferentialStep> steps, ConcurrentNavigableMap<String, String> tested,
            List<Object> results) {
        TreeMap<String, String> oracle = expectedMap();
        for (int i = 0; i < steps.size(); i++) {
            DifferentialStep step = steps.get(i);
            List<Object> accepted = expectedOutcomes(step, oracle);
            Object outcome = outcome(step, tested);
            results.add(outcome);
            if (accepted.stream().noneMatch(expected -> agrees(expected, outcome))) {
                return new Disagreement(i, describe(outcome) + ", expected "
                        + accepted.stream().map(DifferentialContract::describe).collect(Collectors.joining(" or ")));
            }
            List<Map.Entry<String, String>> want = entries(oracle);
            List<Map.Entry<String, String>> got = entries(tested);
            if (!want.equals(got)) {
                return new Disagreement(i, "then the map holds " + describe(got) + ", expected " + describe(want));
            }
        }
        return null;
    }

    /** Returns the outcomes the contract accepts for {@code step}, applying it to {@code oracle} where a TreeMap decides. */
    private List<Object> expectedOutcomes(DifferentialStep step, TreeMap<String, String> oracle) {
        Thrown npe = new Thrown(NullPointerException.class);
        return switch (step.operation()) {
            case PUT_NULL_VALUE, FLOOR_KEY_OF_NULL ->
                    oracle.isEmpty() && !declares(MapFeature.NULL_ARGUMENTS_REJECTED_WHEN_EMPTY)
                            ? List.of(npe, ANY_RESULT) : List.of(npe);
            case REMOVE_IF_MAPPED_TO_NULL ->
                    declares(MapFeature.REMOVE_WITH_NULL_VALUE_RETURNS_FALSE) ? List.of(false) : List.of(false, npe);
            default -> {
                Object expected = outcome(step, oracle);
                yield step.operation().changesWithoutInserting() && step.view().excludes(step.key(), keyOrder())
                        ? Arrays.asList(new Thrown(IllegalArgumentException.class), expected)
                        : Collections.singletonList(expected);
            }
        };
    }

    /** Applies {@code step} to {@code map} and returns its result as plain data, or what it threw. */
    private static Object outcome(DifferentialStep step, NavigableMap<String, String> map) {
        try {
            return MapAssertions.plain(step.applyTo(map));
        } catch (RuntimeException e) {
            return new Thrown(e.getClass());
        }
    }

    private static boolean agrees(Object expected, Object outcome) {
        if (expected == ANY_RESULT) {
            return true;
        }
        if (expected instanceof Thrown thrown) {
            return thrown.accepts(outcome);
        }
        return Objects.equals(expected, outcome);
    }

    /** Returns a result as Java source would write it: strings quoted, entries as {@code "k"="v"}. */
    private static String describe(Object result) {
        if (result instanceof String string) {
            return quote(string);
        }
        if (result instanceof Map.Entry<?, ?> entry) {
            return describe(entry.getKey()) + "=" + describe(entry.getValue());
        }
        if (result instanceof Collection<?> elements) {
            return elements.stream().map(DifferentialContract::describe).collect(Collectors.joining(", ", "[", "]"));
        }
        return String.valueOf(result);
    }

    /** Shrinks a failing sequence and returns the failure message: the shrunk sequence, with results, and the seed. */
    private String reproducer(List<DifferentialStep> steps, Disagreement disagreement, long seed) {
        SequenceShrinker shrinker = new SequenceShrinker(this::replayOnANewMap, KEYS, VALUES.get(0), MAX_REPLAYS);
        List<DifferentialStep> shrunk = shrinker.shrink(steps, disagreement.step());
        List<Object> results = new ArrayList<>();
        Disagreement last = replayOnANewMap(shrunk, results);
        if (last == null) {
            shrunk = steps.subList(0, disagreement.step() + 1);
            results.clear();
            last = replayOnANewMap(shrunk, results);
            if (last == null) {
                last = disagreement;
            }
        }
        StringBuilder message = new StringBuilder("the map disagrees with a TreeMap after ").append(last.step() + 1)
                .append(" calls (seed ").append(seed).append(", shrunk from ").append(disagreement.step() + 1)
                .append(" calls):\n");
        for (int i = 0; i <= last.step(); i++) {
            String statement = shrunk.get(i).toString();
            String result = i < last.step() ? describe(results.get(i)) : last.what();
            message.append("    ").append(statement).append(" ".repeat(Math.max(1, 56 - statement.length())))
                    .append("// ").append(result).append('\n');
        }
        return message.append("replay it alone with -D").append(SEED_PROPERTY).append('=').append(seed).append(" -D")
                .append(SEQUENCES_PROPERTY).append("=1 -D").append(STEPS_PROPERTY).append('=').append(steps.size())
                .toString();
    }

    private int replayOnANewMap(List<DifferentialStep> steps) {
        Disagreement disagreement = replayOnANewMap(steps, new ArrayList<>());
        return disagreement == null ? -1 : disagreement.step();
    }

    private Disagreement replayOnANewMap(List<DifferentialStep> steps, List<Object> results) {
        ConcurrentNavigableMap<String, String> fresh = createMap();
        try {
            return replay(steps, fresh, results);
        } finally {
            dispose(fresh);
        }
    }

    private static List<DifferentialOperation> drawn() {
        List<DifferentialOperation> drawn = new ArrayList<>(List.of(DifferentialOperation.values()));
        IntStream.range(0, 5).forEach(i -> drawn.add(DifferentialOperation.PUT));
        return List.copyOf(drawn);
    }
}
