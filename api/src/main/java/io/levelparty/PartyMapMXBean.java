package io.levelparty;

/**
 * What an open {@link PartyMap} shows over JMX: its {@link PartyStats}, attribute by attribute.
 * Every open map registers one, named
 * {@code io.levelparty:type=PartyMap,directory="<canonical directory>",id=<n>} (a map over a store
 * of one's own: {@code store=<its class>} in place of the directory), and removes it when closed.
 * Both run in the background, so that the platform MBean server's start (about a tenth of a
 * second in a fresh process) slows neither the open nor the close: a bean is listed a moment
 * after its map opens, and gone a moment after it closes.
 */
public interface PartyMapMXBean {
    /** The directory, or the store, the map is open on. */
    String getSource();

    /** {@link PartyStats#role()}, as its name. */
    String getRole();

    long getLeaderPid();

    long getCacheHits();

    long getCacheMisses();

    long getCacheEvictions();

    long getCacheEntries();

    double getCacheHitRatio();

    long getWrites();

    long getRequestsServed();

    long getLeaseCutoffs();

    long getFailovers();

    /** {@link PartyStats#lastFailoverMicros()}: -1 if there was none. */
    long getLastFailoverMicros();
}
