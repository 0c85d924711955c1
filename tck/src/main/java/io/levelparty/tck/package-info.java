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
 * or subclass {@link io.levelparty.tck.ConcurrentNavigableMapTck} once to run all four as nested
 * classes. Expected results come from {@link java.util.TreeMap}s in the key order the map promises
 * ({@link io.levelparty.tck.MapContractSupport#keyOrder() keyOrder()}), so the contracts hold for
 * any key order. A map declares what it promises beyond the interfaces as
 * {@link io.levelparty.tck.MapFeature}s, and may waive a test by name, with a reason; see
 * {@link io.levelparty.tck.MapContractSupport}. {@link java.util.concurrent.ConcurrentSkipListMap}
 * declares every feature and passes every test.
 *
 * <p>The contracts that run LevelParty in several processes, and kill them, are in the artifact
 * {@code levelparty-tck-party}.
 */
package io.levelparty.tck;
