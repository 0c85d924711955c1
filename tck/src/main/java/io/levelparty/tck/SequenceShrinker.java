package io.levelparty.tck;

import java.util.ArrayList;
import java.util.List;

/**
 * Shrinks a sequence of {@link DifferentialStep}s on which the map disagreed with its oracle to a
 * short one on which it still does: delta debugging drops chunks of steps, halving the chunk size
 * down to single steps, then keys are renamed throughout to the first keys of the pool, and each
 * remaining step is simplified (the whole map for its view, a {@code put} for its operation, the
 * first keys of the pool for its key, the first value for its values), and both repeat until
 * neither shortens nor simplifies any more. Every candidate is replayed from an empty map; a
 * candidate is kept only if it still disagrees, and is cut after the step where it first does.
 */
final class SequenceShrinker {

    /** Replays a sequence on a new map and its oracle. */
    @FunctionalInterface
    interface Replay {
        /** Returns the index of the first step on which the map disagrees, or {@code -1} if none. */
        int firstDisagreement(List<DifferentialStep> steps);
    }

    private final Replay replay;
    private final List<String> keys;
    private final String simplestValue;
    private int replaysLeft;

    /**
     * @param replay        replays a candidate
     * @param keys          the key pool, simplest first
     * @param simplestValue the value every value is simplified to
     * @param maxReplays    how many candidates to replay at most, so a slow map shrinks in bounded time
     */
    SequenceShrinker(Replay replay, List<String> keys, String simplestValue, int maxReplays) {
        this.replay = replay;
        this.keys = keys;
        this.simplestValue = simplestValue;
        this.replaysLeft = maxReplays;
    }

    /**
     * Returns the shortest, simplest sequence found that still disagrees, or {@code failing} cut
     * after its first disagreement if no replay reproduces the disagreement.
     */
    List<DifferentialStep> shrink(List<DifferentialStep> failing, int failingStep) {
        List<DifferentialStep> steps = List.copyOf(failing.subList(0, failingStep + 1));
        while (true) {
            List<DifferentialStep> shorter = simplify(dropChunks(steps));
            if (shorter.equals(steps)) {
                return steps;
            }
            steps = shorter;
        }
    }

    private List<DifferentialStep> dropChunks(List<DifferentialStep> steps) {
        int chunk = Math.max(1, steps.size() / 2);
        while (true) {
            boolean dropped = false;
            for (int start = 0; start < steps.size();) {
                List<DifferentialStep> candidate = new ArrayList<>(steps.subList(0, start));
                candidate.addAll(steps.subList(Math.min(start + chunk, steps.size()), steps.size()));
                List<DifferentialStep> kept = ifStillDisagrees(candidate);
                if (kept != null) {
                    steps = kept;
                    dropped = true;
                } else {
                    start += chunk;
                }
            }
            if (!dropped) {
                if (chunk == 1) {
                    return steps;
                }
                chunk /= 2;
            }
        }
    }

    private List<DifferentialStep> simplify(List<DifferentialStep> steps) {
        steps = renameKeys(steps);
        for (int i = 0; i < steps.size(); i++) {
            for (DifferentialStep simpler : simplerForms(steps.get(i))) {
                List<DifferentialStep> candidate = new ArrayList<>(steps);
                candidate.set(i, simpler);
                List<DifferentialStep> kept = ifStillDisagrees(candidate);
                if (kept != null) {
                    steps = kept;
                    break;
                }
            }
        }
        return steps;
    }

    /** Replaces each key, in every step at once, with the simplest key that keeps the disagreement. */
    private List<DifferentialStep> renameKeys(List<DifferentialStep> steps) {
        for (String used : steps.stream().map(DifferentialStep::key).distinct().toList()) {
            for (String simpler : keys.subList(0, Math.max(0, keys.indexOf(used)))) {
                if (steps.stream().anyMatch(step -> step.key().equals(simpler))) {
                    continue;
                }
                List<DifferentialStep> candidate = steps.stream().map(step -> step.key().equals(used)
                        ? new DifferentialStep(step.view(), step.operation(), simpler, step.value(), step.other())
                        : step).toList();
                List<DifferentialStep> kept = ifStillDisagrees(candidate);
                if (kept != null) {
                    steps = kept;
                    break;
                }
            }
        }
        return steps;
    }

    /** Returns simpler forms of a step, simplest first; never the step itself. */
    private List<DifferentialStep> simplerForms(DifferentialStep step) {
        List<DifferentialStep> forms = new ArrayList<>();
        if (!step.view().equals(DifferentialView.WHOLE)) {
            forms.add(new DifferentialStep(DifferentialView.WHOLE, step.operation(), step.key(), step.value(),
                    step.other()));
        }
        if (step.operation() != DifferentialOperation.PUT) {
            forms.add(new DifferentialStep(step.view(), DifferentialOperation.PUT, step.key(), step.value(),
                    step.other()));
        }
        int keyRank = keys.indexOf(step.key());
        for (int k = 0; k < keyRank; k++) {
            forms.add(new DifferentialStep(step.view(), step.operation(), keys.get(k), step.value(), step.other()));
        }
        if (!step.value().equals(simplestValue)) {
            forms.add(new DifferentialStep(step.view(), step.operation(), step.key(), simplestValue, step.other()));
        }
        if (!step.other().equals(simplestValue)) {
            forms.add(new DifferentialStep(step.view(), step.operation(), step.key(), step.value(), simplestValue));
        }
        return forms;
    }

    /** Returns {@code candidate} cut after its first disagreement, or {@code null} if it agrees or no replay is left. */
    private List<DifferentialStep> ifStillDisagrees(List<DifferentialStep> candidate) {
        if (candidate.isEmpty() || replaysLeft == 0) {
            return null;
        }
        replaysLeft--;
        int at = replay.firstDisagreement(candidate);
        return at < 0 ? null : List.copyOf(candidate.subList(0, at + 1));
    }
}
