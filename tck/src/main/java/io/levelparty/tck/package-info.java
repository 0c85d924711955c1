/**
 * Reusable JUnit 5 contract tests for any
 * {@link java.util.concurrent.ConcurrentNavigableMap}{@code <String, String>}.
 *
 * <p>Subclass each contract in a test source tree and implement
 * {@link io.levelparty.tck.MapContractSupport#newMap() newMap()}:
 * <ul>
 *   <li>{@link io.levelparty.tck.ConcurrentNavigableMapContract}: the methods of the map itself;</li>
 *   <li>{@link io.levelparty.tck.NavigableViewsContract}: sub maps, descending maps, key sets,
 *       values and entry sets;</li>
 *   <li>{@link io.levelparty.tck.IterationContract}: iterators, weak consistency and large maps;</li>
 *   <li>{@link io.levelparty.tck.ConcurrencyContract}: atomicity and iteration under
 *       contention from many threads.</li>
 * </ul>
 * Expected results come from {@link java.util.TreeMap}s with the map's comparator, so the
 * contracts hold for any key order; {@link java.util.concurrent.ConcurrentSkipListMap} passes
 * them all.
 */
package io.levelparty.tck;
