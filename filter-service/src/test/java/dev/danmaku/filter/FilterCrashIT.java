package dev.danmaku.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;

/**
 * The only filter instance, in a child JVM, is killed with SIGKILL while danmaku flow; its replacement
 * (same instance id, as a StatefulSet would start it) takes every partition over, fencing the dead
 * one's open transactions, and the read_committed output holds every input exactly once.
 */
@DanmakuIT
class FilterCrashIT {

    private static final int DANMAKU = 1500;
    private static final int ROOMS = 6;

    @Test
    void everyDanmakuIsJudgedExactlyOnceAcrossAKill9(KafkaCluster kafka) throws Exception {
        String prefix = FilterChild.topicPrefix("crash-it-");
        KafkaClients clients = FilterChild.topics(kafka, prefix, 3);

        try (KafkaProducer<String, byte[]> producer = clients.producer("crash-producer", Map.of());
             KafkaConsumer<String, byte[]> output = clients.consumer("crash-output", null, Map.of())) {
            List<TopicPartition> partitions = output.partitionsFor(clients.topics().filtered()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            output.assign(partitions);
            output.seekToBeginning(partitions);

            FilterChild first = FilterChild.start(kafka.bootstrapServers(), prefix, "crash-instance", Map.of());
            FilterChild second = null;
            try {
                AtomicInteger sent = new AtomicInteger();
                Thread feeder = new Thread(() -> feed(producer, clients.topics().raw(), sent), "feeder");
                feeder.start();

                Map<String, Integer> seen = new HashMap<>();
                int duplicates = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (seen.size() < DANMAKU && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> record : output.poll(Duration.ofMillis(100))) {
                        String msgId = RoomEvent.parseFrom(record.value()).getDanmaku().getDanmaku().getMsgId();
                        if (seen.merge(msgId, 1, Integer::sum) > 1) {
                            duplicates++;
                        }
                    }
                    if (second == null && seen.size() >= 300) {
                        assertThat(sent.get()).as("killed mid-stream").isLessThan(DANMAKU);
                        assertThat(first.kill()).as("killed by SIGKILL").isEqualTo(137);
                        second = FilterChild.start(kafka.bootstrapServers(), prefix, "crash-instance", Map.of());
                    }
                }
                feeder.join(10_000);
                // anything published twice would arrive now
                long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (System.nanoTime() < settle) {
                    for (ConsumerRecord<String, byte[]> record : output.poll(Duration.ofMillis(100))) {
                        String msgId = RoomEvent.parseFrom(record.value()).getDanmaku().getDanmaku().getMsgId();
                        if (seen.merge(msgId, 1, Integer::sum) > 1) {
                            duplicates++;
                        }
                    }
                }

                assertThat(second).as("the first instance was killed").isNotNull();
                assertThat(seen).as("every input judged").hasSize(DANMAKU);
                assertThat(duplicates).as("nothing judged twice").isZero();
                for (int i = 0; i < DANMAKU; i++) {
                    assertThat(seen).containsKey("m" + i);
                }
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    /** 1 500 danmaku at about 300 per second, each room in order, distinct users so no limit refuses them. */
    private static void feed(KafkaProducer<String, byte[]> producer, String topic, AtomicInteger sent) {
        for (int i = 0; i < DANMAKU; i++) {
            String room = "room-" + (i % ROOMS);
            RawDanmaku raw = RawDanmaku.newBuilder()
                    .setDanmaku(Danmaku.newBuilder().setMsgId("m" + i).setRoomId(room).setUserId("user-" + i)
                            .setText("message " + i).setSentAtMs(System.currentTimeMillis()))
                    .setOrigin(Origin.newBuilder().setClientMsgId("c" + i)).build();
            producer.send(new ProducerRecord<>(topic, room, raw.toByteArray()));
            sent.incrementAndGet();
            if (i % 30 == 29) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        producer.flush();
    }
}
