package dev.danmaku.filter.pipeline;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.danmaku.common.config.InvalidSettingException;

/**
 * How the filter group notices a dead member and moves only its partitions: the cooperative sticky
 * assignor alone (the default list resolves to an eager rebalance that stops every room) and a short
 * session, which the brokers must allow through {@code group.min.session.timeout.ms} (6 s stock). With
 * brokers that keep a higher floor our default is raised to it, with a warning; an operator's own
 * {@code DANMAKU_KAFKA_SESSION_TIMEOUT_MS} below it fails at start.
 */
public final class GroupFailover {

    /** A dead filter's partitions move after this long, when the brokers allow it. */
    public static final int SESSION_TIMEOUT_MS = 3000;
    public static final String BROKER_FLOOR = "group.min.session.timeout.ms";
    private static final Logger log = LoggerFactory.getLogger(GroupFailover.class);

    private GroupFailover() {
    }

    /** The filter consumer's group settings, checked against the floor the brokers report. */
    public static Map<String, Object> consumerSettings(Admin admin, Map<String, String> operator) {
        return consumerSettings(brokerFloorMs(admin), operator);
    }

    /**
     * @param floor the brokers' {@value #BROKER_FLOOR}, 0 when unknown
     * @param operator the DANMAKU_KAFKA_* properties, which win over these defaults
     */
    static Map<String, Object> consumerSettings(int floor, Map<String, String> operator) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        String chosen = operator.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        int session;
        if (chosen != null) {
            try {
                session = Integer.parseInt(chosen.trim());
            } catch (NumberFormatException e) {
                throw new InvalidSettingException("DANMAKU_KAFKA_SESSION_TIMEOUT_MS=" + chosen + " is not a number of milliseconds");
            }
            if (floor > 0 && session < floor) {
                throw new InvalidSettingException("DANMAKU_KAFKA_SESSION_TIMEOUT_MS=" + session + " is below the brokers' "
                        + BROKER_FLOOR + "=" + floor + ": raise it, or lower the brokers' floor (docs/operations.md)");
            }
        } else if (floor > SESSION_TIMEOUT_MS) {
            session = floor;
            log.warn("The brokers keep {}={} ms: a dead filter's rooms move after {} ms instead of {} ms."
                    + " Lower it on the brokers for faster failover (docs/operations.md)", BROKER_FLOOR, floor, floor,
                    SESSION_TIMEOUT_MS);
        } else {
            session = SESSION_TIMEOUT_MS;
        }
        settings.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, session);
        if (!operator.containsKey(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)) {
            // heartbeats are also how a member learns a rebalance began: often, so moved rooms resume soon
            settings.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(100, session / 10));
        }
        return settings;
    }

    /** The brokers' session floor, or 0 when it cannot be read (e.g. no DescribeConfigs permission). */
    static int brokerFloorMs(Admin admin) {
        try {
            List<Node> nodes = List.copyOf(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS));
            if (nodes.isEmpty()) {
                return 0;
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, nodes.get(0).idString());
            Config config = admin.describeConfigs(List.of(broker)).all().get(10, TimeUnit.SECONDS).get(broker);
            ConfigEntry entry = config == null ? null : config.get(BROKER_FLOOR);
            return entry == null || entry.value() == null ? 0 : Integer.parseInt(entry.value());
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.info("Could not read the brokers' {} ({}); using session.timeout.ms as configured", BROKER_FLOOR,
                    e.getMessage());
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
