package io.levelparty.tck;

import java.util.List;
import java.util.NavigableMap;
import java.util.function.BiFunction;

/**
 * A named way of deriving a view from a navigable map: the map itself, its descending map, a sub,
 * head or tail map, or a chain of these. Bounds are positions in the test's key universe sorted in
 * the map's order ({@code u[i]}), so the same shape selects the same keys whatever the comparator.
 *
 * @param name       how the view is derived, for test names and messages
 * @param bounded    whether the view excludes some keys of the map
 * @param derivation derives the view from a map and the sorted key universe
 */
record ViewShape(String name, boolean bounded,
        BiFunction<NavigableMap<String, String>, List<String>, NavigableMap<String, String>> derivation) {

    /** Derives this view of {@code map}, whose keys drawn from the universe sort as {@code sortedUniverse}. */
    NavigableMap<String, String> of(NavigableMap<String, String> map, List<String> sortedUniverse) {
        return derivation.apply(map, sortedUniverse);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Returns every shape the contracts exercise, for a universe of {@link TestKeys#UNIVERSE_SIZE} keys. */
    static List<ViewShape> all() {
        return List.of(
                new ViewShape("map", false, (m, u) -> m),
                new ViewShape("descendingMap()", false, (m, u) -> m.descendingMap()),
                new ViewShape("descendingMap().descendingMap()", false, (m, u) -> m.descendingMap().descendingMap()),
                new ViewShape("subMap(u[10], true, u[50], false)", true,
                        (m, u) -> m.subMap(u.get(10), true, u.get(50), false)),
                new ViewShape("subMap(u[11], false, u[49], true)", true,
                        (m, u) -> m.subMap(u.get(11), false, u.get(49), true)),
                new ViewShape("subMap(u[20], true, u[20], true)", true,
                        (m, u) -> m.subMap(u.get(20), true, u.get(20), true)),
                new ViewShape("subMap(u[25], false, u[26], false)", true,
                        (m, u) -> m.subMap(u.get(25), false, u.get(26), false)),
                new ViewShape("headMap(u[30], false)", true, (m, u) -> m.headMap(u.get(30), false)),
                new ViewShape("tailMap(u[31], true)", true, (m, u) -> m.tailMap(u.get(31), true)),
                new ViewShape("descendingMap().subMap(u[50], true, u[10], false)", true,
                        (m, u) -> m.descendingMap().subMap(u.get(50), true, u.get(10), false)),
                new ViewShape("subMap(u[10], true, u[50], true).descendingMap()", true,
                        (m, u) -> m.subMap(u.get(10), true, u.get(50), true).descendingMap()),
                new ViewShape("descendingMap().headMap(u[30], true)", true,
                        (m, u) -> m.descendingMap().headMap(u.get(30), true)),
                new ViewShape("descendingMap().tailMap(u[30], false)", true,
                        (m, u) -> m.descendingMap().tailMap(u.get(30), false)),
                new ViewShape("subMap(u[5], true, u[55], false).subMap(u[15], false, u[45], true)", true,
                        (m, u) -> m.subMap(u.get(5), true, u.get(55), false).subMap(u.get(15), false, u.get(45), true)),
                new ViewShape("tailMap(u[10], false).headMap(u[40], true)", true,
                        (m, u) -> m.tailMap(u.get(10), false).headMap(u.get(40), true)),
                new ViewShape("subMap(u[5], true, u[55], true).descendingMap().subMap(u[45], false, u[15], true)", true,
                        (m, u) -> m.subMap(u.get(5), true, u.get(55), true).descendingMap()
                                .subMap(u.get(45), false, u.get(15), true)),
                new ViewShape("headMap(u[40], true).descendingMap().tailMap(u[20], true)", true,
                        (m, u) -> m.headMap(u.get(40), true).descendingMap().tailMap(u.get(20), true)));
    }

    /** Returns the shapes of {@link #all()} that exclude some keys. */
    static List<ViewShape> allBounded() {
        return all().stream().filter(ViewShape::bounded).toList();
    }

    /** Returns the shape of {@link #all()} named {@code name}. */
    static ViewShape named(String name) {
        return all().stream().filter(s -> s.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no view shape " + name));
    }
}
