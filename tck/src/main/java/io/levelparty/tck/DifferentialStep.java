package io.levelparty.tck;

import java.util.NavigableMap;

/**
 * One call of a {@link DifferentialContract} sequence: an operation on a view of the map, with the
 * key and values it is given. Operations that take fewer arguments ignore the rest.
 *
 * @param view      the view the operation works on
 * @param operation what is called
 * @param key       the key argument
 * @param value     the first value argument
 * @param other     the second value argument ({@code replace(key, value, other)})
 */
record DifferentialStep(DifferentialView view, DifferentialOperation operation, String key, String value,
        String other) {

    /** Applies this step to {@code map} (the map itself, not the view) and returns what the call returned. */
    Object applyTo(NavigableMap<String, String> map) {
        return operation.apply(view.of(map), this);
    }

    /** Returns this step as a Java statement on a map named {@code map}. */
    @Override
    public String toString() {
        return view + "." + operation.call(this) + ";";
    }
}
