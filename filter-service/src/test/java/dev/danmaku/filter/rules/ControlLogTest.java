package dev.danmaku.filter.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.danmaku.filter.matching.TextViews;
import dev.danmaku.proto.v1.AuditEntry;
import dev.danmaku.proto.v1.ControlRecord;
import dev.danmaku.proto.v1.KeywordRule;
import dev.danmaku.proto.v1.Mute;
import dev.danmaku.proto.v1.RoomSettings;

class ControlLogTest {

    private static final String TOPIC = "control";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AuditTrail trail = new AuditTrail();
    private ControlLog log;
    private long offset;

    @BeforeEach
    void setUp() {
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.updateEndOffsets(Map.of(P0, 0L));
        log = new ControlLog(consumer, TOPIC, List.of(KeywordRule.newBuilder().setId("config-1").setPattern("fromconfig").build()),
                trail, meters);
        log.onStart();
    }

    private ConsumerRecord<String, byte[]> record(String key, ControlRecord value) {
        return new ConsumerRecord<>(TOPIC, 0, offset++, key, value == null ? null : value.toByteArray());
    }

    private void poll(List<ConsumerRecord<String, byte[]>> records) {
        consumer.seek(P0, offset);
        log.handle(new ConsumerRecords<>(Map.of(P0, records), Map.of()));
    }

    private static ControlRecord rule(String id, String pattern) {
        return ControlRecord.newBuilder().setRule(KeywordRule.newBuilder().setId(id).setPattern(pattern)).build();
    }

    private boolean blocks(String text) {
        return !log.current().matcher().find(new TextViews(text), "room").matches().isEmpty();
    }

    @Test
    void appliesEachPollAsOneNewVersionAndTombstonesDelete() {
        assertThat(blocks("fromconfig")).as("startup rules before any record").isTrue();
        assertThat(log.current().version()).isZero();

        poll(List.of(
                record(ControlKeys.rule("r1"), rule("r1", "alpha")),
                record(ControlKeys.rule("r2"), rule("r2", "beta")),
                record(ControlKeys.room("room"), ControlRecord.newBuilder()
                        .setRoomSettings(RoomSettings.newBuilder().setRoomId("room").setSlowModeSeconds(5)).build()),
                record(ControlKeys.mute("room", "u"), ControlRecord.newBuilder()
                        .setMute(Mute.newBuilder().setRoomId("room").setUserId("u").setUntilMs(Long.MAX_VALUE)).build()),
                record("audit/a1", ControlRecord.newBuilder() // as written before audit entries had a topic of their own
                        .setAudit(AuditEntry.newBuilder().setId("a1").setAction("rule.create")).build())));

        RuleSet first = log.current();
        assertThat(first.version()).isEqualTo(5);
        assertThat(first.rules()).containsKeys("config-1", "r1", "r2");
        assertThat(blocks("ALPHA")).isTrue();
        assertThat(first.room("room").getSlowModeSeconds()).isEqualTo(5);
        assertThat(first.muteOf("room", "u", 0)).isNotNull();
        assertThat(trail.newest(10)).extracting(AuditEntry::getId).containsExactly("a1");

        poll(List.of(
                record(ControlKeys.rule("r1"), null),
                record(ControlKeys.room("room"), null),
                record(ControlKeys.mute("room", "u"), null),
                record(ControlKeys.rule("r2"), rule("r2", "gamma"))));

        RuleSet second = log.current();
        assertThat(second.version()).isEqualTo(9);
        assertThat(second.rules()).containsOnlyKeys("config-1", "r2");
        assertThat(blocks("alpha")).isFalse();
        assertThat(blocks("beta")).as("replaced").isFalse();
        assertThat(blocks("gamma")).isTrue();
        assertThat(second.room("room").getSlowModeSeconds()).isZero();
        assertThat(second.muteOf("room", "u", 0)).isNull();
        assertThat(first.rules()).as("earlier versions are untouched").containsKey("r1");
    }

    @Test
    void skipsAnUndecodableRecordAndCountsIt() {
        ConsumerRecord<String, byte[]> garbage = new ConsumerRecord<>(TOPIC, 0, offset++, "rule/x", new byte[] {(byte) 0xff, 1});
        poll(List.of(garbage, record(ControlKeys.rule("ok"), rule("ok", "delta"))));

        assertThat(blocks("delta")).isTrue();
        assertThat(meters.counter("danmaku_filter_control_undecodable_records_total").count()).isEqualTo(1);
    }

    @Test
    void awaitAppliedReturnsOnceThePositionPassesTheOffset() throws Exception {
        poll(List.of(record(ControlKeys.rule("r"), rule("r", "epsilon"))));

        assertThat(log.awaitApplied(0, 0, Duration.ofMillis(10))).isTrue();
        assertThat(log.awaitApplied(0, 1, Duration.ofMillis(10))).isFalse();
    }
}
