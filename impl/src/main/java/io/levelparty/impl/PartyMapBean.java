package io.levelparty.impl;

import io.levelparty.PartyMap;
import io.levelparty.PartyMapMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An open map's JMX bean: registered when the map opens, unregistered when it closes. */
final class PartyMapBean implements PartyMapMXBean {
    private static final Logger log = LoggerFactory.getLogger(PartyMapBean.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final PartyMap<?> map;
    private final String source;
    private final ObjectName name;

    private PartyMapBean(PartyMap<?> map, String sourceKey, String source) throws JMException {
        this.map = map;
        this.source = source;
        this.name = new ObjectName("io.levelparty:type=PartyMap," + sourceKey + "=" + ObjectName.quote(source) + ",id="
                + IDS.incrementAndGet());
    }

    /**
     * Registers the bean of {@code map}, open on {@code source} (a directory when
     * {@code sourceKey} is "directory", a store's class when it is "store"); returns null if JMX
     * refuses it, which costs only the bean.
     */
    static PartyMapBean register(PartyMap<?> map, String sourceKey, String source) {
        try {
            PartyMapBean bean = new PartyMapBean(map, sourceKey, source);
            server().registerMBean(new StandardMBean(bean, PartyMapMXBean.class, true), bean.name);
            return bean;
        } catch (JMException | RuntimeException e) {
            log.warn("Could not register the JMX bean of the map of {}: {}", source, e.toString());
            return null;
        }
    }

    void unregister() {
        try {
            server().unregisterMBean(name);
        } catch (JMException | RuntimeException e) {
            log.debug("Could not unregister {}: {}", name, e.toString());
        }
    }

    ObjectName name() {
        return name;
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
