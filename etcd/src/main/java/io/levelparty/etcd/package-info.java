/**
 * A LevelParty map shared across machines through an etcd v3 cluster: {@link
 * io.levelparty.etcd.EtcdStoreProvider} opens {@code etcd://host:port/prefix} URIs as {@link
 * io.levelparty.etcd.EtcdStore}s, and {@link io.levelparty.LevelParty} puts the full map facade
 * over them. Writes are exactly-once transactions; reads are linearizable under
 * {@link io.levelparty.Consistency#STRICT STRICT}, which caches nothing, and served from a cache
 * kept current by a watch under {@link io.levelparty.Consistency#RELAXED RELAXED}, with
 * read-your-writes and monotonic reads in each process (the class javadoc of {@code EtcdStore}
 * states both precisely). Everything else in this package is internal: {@code KeySpace} holds
 * the key layout, {@code RequestRecords} the records that make writes exactly-once,
 * {@code RetryingCalls} the timeouts and retries, {@code WatchFeed} the watches that feed
 * subscriptions and the cache, {@code RelaxedReadCache} the RELAXED cache and the rules that keep
 * it from going back in time.
 */
package io.levelparty.etcd;
