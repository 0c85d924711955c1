package io.levelparty.impl;

import io.levelparty.PartyMap;
import io.levelparty.PartyMapMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open map's JMX bean: registered when the map opens, unregistered when it closes.
 *
 * <p>Both run on one background thread, in order: the platform MBean server's first use costs a
 * fresh process about a tenth of a second, which neither an open nor a close waits for. A bean is
 * listed a moment after its map opens, and gone a moment after it closes.
 */
final class PartyMapBean implements PartyMapMXBean {
    private static final Logger log = LoggerFactory.getLogger(PartyMapBean.class);
    private static final AtomicLong IDS = new AtomicLong();
    /** Registers and unregisters every bean of this process, one at a time, in order. */
    private static final ExecutorService JMX = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "levelparty-jmx");
        thread.setDaemon(true);
        return thread;
    });

    private static final int PENDING = 0;
    private static final int REGISTERED = 1;
    private static final int CANCELLED = 2;

    private final PartyMap<?> map;
    private final String source;
    private final String name;
    /** PENDING until the registration begins (REGISTERED) or the map closes first (CANCELLED). */
    private final AtomicInteger state = new AtomicInteger(PENDING);

    private PartyMapBean(PartyMap<?> map, String sourceKey, String source) {
        this.map = map;
        this.source = source;
        this.name = "io.levelparty:type=PartyMap," + sourceKey + "=" + ObjectName.quote(source) + ",id="
                + IDS.incrementAndGet();
    }

    /**
     * Registers the bean of {@code map}, open on {@code source} (a directory when
     * {@code sourceKey} is "directory", a store's class when it is "store"), in the background; if
     * JMX refuses it, that costs only the bean, and is logged.
     */
    static PartyMapBean register(PartyMap<?> map, String sourceKey, String source) {
        PartyMapBean bean = new PartyMapBean(map, sourceKey, source);
        JMX.execute(() -> {
            if (!bean.state.compareAndSet(PENDING, REGISTERED)) {
                return; // closed before its turn came
            }
            try {
                server().registerMBean(new StandardMBean(bean, PartyMapMXBean.class, true), new ObjectName(bean.name));
            } catch (JMException | RuntimeException e) {
                log.warn("Could not register the JMX bean of the map of {}: {}", source, e.toString());
            }
        });
        return bean;
    }

    /**
     * Unregisters this bean in the background, after its registration; if its registration has
     * not begun, cancels it. A process that closes its map and exits does not wait for JMX.
     */
    void unregister() {
        if (state.compareAndSet(PENDING, CANCELLED)) {
            return;
        }
        JMX.execute(() -> {
            try {
                ObjectName objectName = new ObjectName(name);
                if (server().isRegistered(objectName)) {
                    server().unregisterMBean(objectName);
                }
            } catch (JMException | RuntimeException e) {
                log.debug("Could not unregister {}: {}", name, e.toString());
            }
        });
    }

    private static MBeanServer server() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    @Override
    public String getSource() {
        return source;
    }

    @Override
    public String getRole() {
        return map.stats().role().name();
    }

    @Override
    public long getLeaderPid() {
        return map.stats().leaderPid();
    }

    @Override
    public long getCacheHits() {
        return map.stats().cacheHits();
    }

    @Override
    public long getCacheMisses() {
        return map.stats().cacheMisses();
    }

    @Override
    public long getCacheEvictions() {
        return map.stats().cacheEvictions();
    }

    @Override
    public long getCacheEntries() {
        return map.stats().cacheEntries();
    }

    @Override
    public double getCacheHitRatio() {
        return map.stats().cacheHitRatio();
    }

    @Override
    public long getWrites() {
        return map.stats().writes();
    }

    @Override
    public long getRequestsServed() {
        return map.stats().requestsServed();
    }

    @Override
    public long getLeaseCutoffs() {
        return map.stats().leaseCutoffs();
    }

    @Override
    public long getFailovers() {
        return map.stats().failovers();
    }

    @Override
    public long getLastFailoverMicros() {
        return map.stats().lastFailoverMicros();
    }
}
