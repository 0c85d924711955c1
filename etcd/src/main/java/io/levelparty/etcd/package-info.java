/**
 * A LevelParty map shared across machines through an etcd v3 cluster: {@link
 * io.levelparty.etcd.EtcdStoreProvider} opens {@code etcd://host:port/prefix} URIs as {@link
 * io.levelparty.etcd.EtcdStore}s, and {@link io.levelparty.LevelParty} puts the full map facade
 * over them. Everything else in this package is internal: {@code KeySpace} holds the key layout,
 * {@code RequestRecords} the records that make writes exactly-once, {@code RetryingCalls} the
 * timeouts and retries, {@code WatchFeed} the subscriptions.
 */
package io.levelparty.etcd;
