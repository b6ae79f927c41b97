package dev.danmaku.filter.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.Recall;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.TestSecrets;

/**
 * What a partition's new owner reads back from a real broker: the committed first sends of the rooms
 * of the raw partitions it took over, found even when the two topics have different partition counts.
 */
@DanmakuIT
class FilteredHistoryIT {

    @Test
    void readsTheCommittedRecentFirstSendsOfTheRoomsOfTheRawPartitionsAskedFor(KafkaCluster kafka) throws Exception {
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_TOPIC_PREFIX", "history-it-" + UUID.randomUUID().toString().substring(0, 8) + ".")));
        KafkaClients clients = new KafkaClients(common);
        String raw = clients.topics().raw();
        String filtered = clients.topics().filtered();
        try (Admin admin = Admin.create(clients.adminProperties())) {
            admin.createTopics(List.of(new NewTopic(raw, 4, (short) 1), new NewTopic(filtered, 3, (short) 1))).all().get();
        }
        long now = System.currentTimeMillis();
        Map<String, Integer> rawPartitionOfRoom = new HashMap<>();
        try (KafkaProducer<String, byte[]> gateway = clients.producer("history-it-gateway", Map.of());
                KafkaProducer<String, byte[]> filter = clients.producer("history-it-filter", Map.of());
                KafkaProducer<String, byte[]> aborted = clients.transactionalProducer("history-it-aborted", "history-it-" + now)) {
            for (int i = 0; i < 20; i++) {
                String room = "room-" + i;
                // where the gateways' producer puts the room's sends
                rawPartitionOfRoom.put(room, gateway.send(new ProducerRecord<>(raw, room, new byte[0])).get().partition());
                filter.send(verdictRecord(filtered, room, "c-" + i, false, now)).get();
            }
            filter.send(verdictRecord(filtered, "room-0", "c-0", true, now)).get(); // a repeat
            filter.send(verdictRecord(filtered, "room-0", "", false, now)).get(); // no clientMsgId: no retry can name it
            filter.send(verdictRecord(filtered, "room-0", "c-old", false, now - 600_000)).get(); // too old
            filter.send(new ProducerRecord<>(filtered, "room-0", RoomEvent.newBuilder()
                    .setRecall(Recall.newBuilder().setRoomId("room-0").setMsgId("m-c-0")).build().toByteArray())).get();
            aborted.initTransactions();
            aborted.beginTransaction();
            aborted.send(verdictRecord(filtered, "room-0", "c-aborted", false, now)).get();
            aborted.abortTransaction();
        }
        List<TopicPartition> takenOver = List.of(new TopicPartition(raw, 1), new TopicPartition(raw, 3));

        List<RecentVerdicts.Recent> found;
        try (FilteredHistory history = new FilteredHistory(clients.consumer("history-it", null, Map.of()), raw, filtered)) {
            found = history.since(takenOver, now - 60_000);
        }

        List<String> expected = rawPartitionOfRoom.entrySet().stream()
                .filter(e -> e.getValue() == 1 || e.getValue() == 3)
                .map(e -> "c-" + e.getKey().substring("room-".length())).sorted().toList();
        assertThat(expected).as("the rooms fall on several partitions").isNotEmpty().hasSizeLessThan(20);
        assertThat(found).extracting(r -> r.verdict().getOrigin().getClientMsgId()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(found).allSatisfy(r -> {
            assertThat(r.rawPartition().partition()).isEqualTo(rawPartitionOfRoom.get(r.verdict().getDanmaku().getRoomId()));
            assertThat(r.writtenAtMillis()).isEqualTo(now);
        });
    }

    private static ProducerRecord<String, byte[]> verdictRecord(String topic, String room, String clientMsgId, boolean repeat,
            long timestamp) {
        JudgedDanmaku verdict = JudgedDanmaku.newBuilder()
                .setDanmaku(Danmaku.newBuilder().setMsgId("m-" + clientMsgId).setRoomId(room).setUserId("u").setText("hi"))
                .setOrigin(Origin.newBuilder().setClientMsgId(clientMsgId))
                .setVerdict(Verdict.ACCEPTED).setRepeat(repeat).build();
        return new ProducerRecord<>(topic, null, timestamp, room, RoomEvent.newBuilder().setDanmaku(verdict).build().toByteArray());
    }
}
