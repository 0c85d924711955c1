/**
 * JUnit 5 contracts that run a LevelParty map in several processes (child JVMs with the test's
 * class path) and kill, stop or interrupt them. Every process opens the map through the public
 * door, {@link io.levelparty.LevelParty#open(java.net.URI, io.levelparty.PartyOptions)}: a
 * {@code file:} URI for LevelParty's own party on a LevelDB directory, or the URI of another store
 * whose provider is on the class path, such as {@code etcd://host:port/prefix}.
 * <ul>
 *   <li>{@link io.levelparty.tck.party.FailoverChaosContract}: several processes under load while
 *       whatever leads the map is killed again and again; nothing acknowledged lost or doubled,
 *       every scan exact. Runs against any store: a subclass names the map and says what a kill
 *       is (the leading worker of a LevelDB party, the raft leader of an etcd cluster).</li>
 * </ul>
 * The others are about LevelParty's own party, whose leader is one of the processes that use the
 * map, and open only {@code file:} URIs; each says why in its javadoc:
 * <ul>
 *   <li>{@link io.levelparty.tck.party.PartyScenarioContract}: start orders, a leader that closes
 *       or is killed;</li>
 *   <li>{@link io.levelparty.tck.party.LeaderLossContract}: iterators that outlive their leader,
 *       and a leader stopped with SIGSTOP;</li>
 *   <li>{@link io.levelparty.tck.party.StaleReadContract}: processes read hot keys through their
 *       caches while others overwrite them, a leader is killed and a reader stopped; no read
 *       returns a value overwritten before it began, or a value never written.</li>
 *   <li>{@link io.levelparty.tck.party.InterruptContract}: calls made by interrupted threads in
 *       the leader and in a follower complete, keep the interrupt flag, and never end the
 *       term.</li>
 * </ul>
 */
package io.levelparty.tck.party;
