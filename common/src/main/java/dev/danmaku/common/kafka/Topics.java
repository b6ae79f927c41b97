package dev.danmaku.common.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Utils;

/** The platform's topic names (DESIGN §3), with the installation's prefix. */
public record Topics(String prefix) {

    /**
     * Presence reports are compacted by gateway and room, and deleted after an hour: a live gateway
     * reports every few seconds, so only a dead gateway's reports ever get that old.
     */
    public static final Map<String, String> PRESENCE_CONFIG = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG, "3600000");

    public static final Map<String, String> DEAD_LETTER_CONFIG = Map.of(
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(java.time.Duration.ofDays(7).toMillis()));

    /** Audit entries are kept a year, then deleted; never compacted (each has a key of its own). */
    public static final Map<String, String> AUDIT_CONFIG = Map.of(
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(java.time.Duration.ofDays(365).toMillis()));

    /**
     * The partition a room's records are on: Kafka's default partitioner for the room key. Both the
     * raw and the filtered topic are keyed by room.
     */
    public static int partitionOf(String roomId, int partitionCount) {
        return Utils.toPositive(Utils.murmur2(roomId.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }

    public String raw() {
        return prefix + "danmaku.raw.v1";
    }

    public String filtered() {
        return prefix + "danmaku.filtered.v1";
    }

    public String control() {
        return prefix + "danmaku.control.v1";
    }

    public String presence() {
        return prefix + "danmaku.presence.v1";
    }

    /** Raw records the filter could not decode or judge, kept for a week for an operator to look at. */
    public String deadLetter() {
        return prefix + "danmaku.deadletter.v1";
    }

    /** Who changed which moderation rule or setting, and when: written by the filter only, with each change. */
    public String audit() {
        return prefix + "danmaku.audit.v1";
    }

    /** Every topic with the settings it is created with when missing. */
    public List<NewTopic> all(int partitions, short replicationFactor) {
        var compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        return List.of(
                topic(raw(), partitions, replicationFactor, Map.of()),
                topic(filtered(), partitions, replicationFactor, Map.of()),
                topic(control(), 1, replicationFactor, compacted),
                topic(presence(), partitions, replicationFactor, PRESENCE_CONFIG),
                topic(deadLetter(), 1, replicationFactor, DEAD_LETTER_CONFIG),
                topic(audit(), 1, replicationFactor, AUDIT_CONFIG));
    }

    private static NewTopic topic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        var replication = replicationFactor < 0 ? java.util.Optional.<Short>empty() : java.util.Optional.of(replicationFactor);
        return new NewTopic(name, java.util.Optional.of(partitions), replication).configs(configs);
    }
}
