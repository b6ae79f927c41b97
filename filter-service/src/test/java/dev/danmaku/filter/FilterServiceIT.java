package dev.danmaku.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.filter.pipeline.DeadLetters;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.Reason;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.proto.v1.Verdict;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;
import dev.danmaku.testkit.TestSecrets;

@DanmakuIT
class FilterServiceIT {

    private static CommonConfig common;
    private static KafkaClients clients;
    private static FilterService filter;
    private static KafkaProducer<String, byte[]> producer;
    private static KafkaConsumer<String, byte[]> verdicts;

    @BeforeAll
    static void start(KafkaCluster kafka) {
        common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of("DANMAKU_JWT_SECRET", TestSecrets.JWT,
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_TOPIC_PREFIX", "filter-it-" + UUID.randomUUID().toString().substring(0, 8) + ".",
                "DANMAKU_TOPIC_PARTITIONS", "3")));
        filter = FilterService.start(new FilterConfig(common, 0, "it", List.of("badword")), new SimpleMeterRegistry());
        clients = new KafkaClients(common);
        producer = clients.producer("it-producer", Map.of());
        verdicts = clients.consumer("it-verdicts", null, Map.of());
        var partitions = verdicts.partitionsFor(clients.topics().filtered()).stream()
                .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
        verdicts.assign(partitions);
        verdicts.seekToBeginning(partitions);
    }

    @AfterAll
    static void stop() {
        verdicts.close();
        producer.close();
        filter.close();
    }

    private static void send(String room, String msgId, String text) {
        send(room, msgId, "c-" + msgId, false, text);
    }

    /** As a gateway publishes a send: a retry (from the page, on a new connection) has a new msgId. */
    private static void send(String room, String msgId, String clientMsgId, boolean retry, String text) {
        RawDanmaku raw = RawDanmaku.newBuilder()
                .setDanmaku(Danmaku.newBuilder().setMsgId(msgId).setRoomId(room).setText(text).setUserId("u"))
                .setOrigin(Origin.newBuilder().setGatewayId("gw").setSessionId("s-" + msgId).setClientMsgId(clientMsgId)
                        .setRetry(retry))
                .build();
        producer.send(new ProducerRecord<>(clients.topics().raw(), room, raw.toByteArray()));
    }

    private static List<JudgedDanmaku> awaitVerdicts(int count, Duration timeout) throws Exception {
        List<JudgedDanmaku> received = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : verdicts.poll(Duration.ofMillis(200))) {
                JudgedDanmaku judged = RoomEvent.parseFrom(record.value()).getDanmaku();
                assertThat(record.key()).isEqualTo(judged.getDanmaku().getRoomId());
                received.add(judged);
            }
        }
        return received;
    }

    @Test
    void judgesEveryDanmakuOnceInOrderAndKeepsGarbageInTheDeadLetterTopic() throws Exception {
        send("room-a", "m1", "hello");
        producer.send(new ProducerRecord<>(clients.topics().raw(), "room-a", new byte[] {(byte) 0xff, 0x01}));
        send("room-a", "m2", "this has a BADWORD in it");
        send("room-a", "m3", "still here");
        producer.flush();

        List<JudgedDanmaku> judged = awaitVerdicts(3, Duration.ofSeconds(30));

        assertThat(judged).extracting(j -> j.getDanmaku().getMsgId()).containsExactly("m1", "m2", "m3");
        assertThat(judged).extracting(JudgedDanmaku::getVerdict)
                .containsExactly(Verdict.ACCEPTED, Verdict.REJECTED, Verdict.ACCEPTED);
        assertThat(judged.get(1).getReason()).isEqualTo(Reason.BLOCKED_KEYWORD);
        assertThat(judged.get(1).getOrigin().getClientMsgId()).isEqualTo("c-m2");
        assertThat(awaitVerdicts(1, Duration.ofSeconds(2))).as("nothing is published twice").isEmpty();
        assertThat(filter.ready()).isTrue();

        try (KafkaConsumer<String, byte[]> deadLetters = clients.consumer("it-dead-letters", null, Map.of())) {
            var partition = new org.apache.kafka.common.TopicPartition(clients.topics().deadLetter(), 0);
            deadLetters.assign(List.of(partition));
            deadLetters.seekToBeginning(List.of(partition));
            List<ConsumerRecord<String, byte[]>> kept = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (kept.isEmpty() && System.nanoTime() < deadline) {
                deadLetters.poll(Duration.ofMillis(200)).forEach(kept::add);
            }
            assertThat(kept).singleElement().satisfies(record -> {
                assertThat(record.key()).isEqualTo("room-a");
                assertThat(record.value()).containsExactly((byte) 0xff, 0x01);
                assertThat(new String(record.headers().lastHeader(DeadLetters.SOURCE).value(), StandardCharsets.UTF_8))
                        .startsWith(clients.topics().raw() + "-");
            });
        }
    }

    @Test
    void aRetryOfASendTheReplacedInstanceJudgedGetsThatVerdictAgain() throws Exception {
        send("room-r", "m20", "c-20", false, "judged before the failover");
        producer.flush();
        JudgedDanmaku first = awaitVerdicts(1, Duration.ofSeconds(30)).get(0);

        filter.close();
        filter = FilterService.start(new FilterConfig(common, 0, "it-2", List.of("badword")), new SimpleMeterRegistry());
        send("room-r", "m21", "c-20", true, "judged before the failover");
        producer.flush();
        List<JudgedDanmaku> judged = awaitVerdicts(1, Duration.ofSeconds(30));

        assertThat(judged).hasSize(1);
        JudgedDanmaku retry = judged.get(0);
        assertThat(retry.getRepeat()).as("not shown a second time").isTrue();
        assertThat(retry.getDanmaku().getMsgId()).isEqualTo(first.getDanmaku().getMsgId()).isEqualTo("m20");
        assertThat(retry.getVerdict()).isEqualTo(first.getVerdict());
        assertThat(retry.getOrigin().getSessionId()).as("acked to the retry's connection").isEqualTo("s-m21");
    }
}
