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
 *       contention from many threads;</li>
 *   <li>{@link io.levelparty.tck.DifferentialContract}: random call sequences compared with a
 *       {@link java.util.TreeMap}, a disagreement shrunk to a short reproducer;</li>
 *   <li>{@link io.levelparty.tck.SpliteratorContract}: spliterators and streams of the key sets,
 *       values and entry sets of the map and its views.</li>
 * </ul>
 * or subclass {@link io.levelparty.tck.ConcurrentNavigableMapTck} once to run all six as nested
 * classes. Expected results come from {@link java.util.TreeMap}s in the key order the map promises
 * ({@link io.levelparty.tck.MapContractSupport#keyOrder() keyOrder()}), so the contracts hold for
 * any key order. A map declares what it promises beyond the interfaces as
 * {@link io.levelparty.tck.MapFeature}s, and may waive a test by name, with a reason; see
 * {@link io.levelparty.tck.MapContractSupport}. {@link java.util.concurrent.ConcurrentSkipListMap}
 * declares every feature and passes every test.
 *
 * <p>The party contracts run an implementation of {@link io.levelparty.LevelParty} in several
 * processes (child JVMs with the test's class path) on one directory:
 * <ul>
 *   <li>{@link io.levelparty.tck.PartyScenarioContract}: start orders, a leader that closes or is
 *       killed;</li>
 *   <li>{@link io.levelparty.tck.LeaderLossContract}: iterators that outlive their leader, and a
 *       leader stopped with SIGSTOP;</li>
 *   <li>{@link io.levelparty.tck.FailoverChaosContract}: several processes under load while the
 *       leader is killed again and again; nothing acknowledged lost or doubled, every scan exact.</li>
 *   <li>{@link io.levelparty.tck.StaleReadContract}: processes read hot keys through their caches
 *       while others overwrite them, a leader is killed and a reader stopped; no read returns a
 *       value overwritten before it began, or a value never written.</li>
 *   <li>{@link io.levelparty.tck.InterruptContract}: calls made by interrupted threads in the
 *       leader and in a follower complete, keep the interrupt flag, and never end the term.</li>
 * </ul>
 */
package io.levelparty.tck;
