package dev.danmaku.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import dev.danmaku.common.config.CommonConfig;
import dev.danmaku.common.config.SettingValues;
import dev.danmaku.common.kafka.KafkaClients;
import dev.danmaku.proto.v1.Danmaku;
import dev.danmaku.proto.v1.Origin;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.RoomEvent;
import dev.danmaku.testkit.ChildJvm;
import dev.danmaku.testkit.DanmakuIT;
import dev.danmaku.testkit.KafkaCluster;

/**
 * A filter instance in a child JVM is killed with SIGKILL while danmaku flow; its replacement (same
 * instance id, so it fences the dead one's open transaction) carries on, and the read_committed
 * output holds every input exactly once.
 */
@DanmakuIT
class FilterCrashIT {

    private static final int DANMAKU = 1500;
    private static final int ROOMS = 6;

    @Test
    void everyDanmakuIsJudgedExactlyOnceAcrossAKill9(KafkaCluster kafka) throws Exception {
        String prefix = "crash-it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        CommonConfig common = CommonConfig.from(SettingValues.of(CommonConfig.SETTINGS, Map.of(
                "DANMAKU_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "DANMAKU_TOPIC_PREFIX", prefix, "DANMAKU_TOPIC_PARTITIONS", "3")));
        KafkaClients clients = new KafkaClients(common);
        clients.createMissingTopics(Duration.ofSeconds(30));

        try (KafkaProducer<String, byte[]> producer = clients.producer("crash-producer", Map.of());
             KafkaConsumer<String, byte[]> output = clients.consumer("crash-output", null, Map.of())) {
            List<TopicPartition> partitions = output.partitionsFor(clients.topics().filtered()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            output.assign(partitions);
            output.seekToBeginning(partitions);

            Process first = startChild(kafka.bootstrapServers(), prefix);
            Process second = null;
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
                        first.destroyForcibly(); // SIGKILL: no shutdown hook, an open transaction left behind
                        first.waitFor(10, TimeUnit.SECONDS);
                        second = startChild(kafka.bootstrapServers(), prefix);
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
                assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
                assertThat(seen).as("every input judged").hasSize(DANMAKU);
                assertThat(duplicates).as("nothing judged twice").isZero();
                for (int i = 0; i < DANMAKU; i++) {
                    assertThat(seen).containsKey("m" + i);
                }
            } finally {
                first.destroyForcibly();
                if (second != null) {
                    second.destroyForcibly();
                    second.waitFor(10, TimeUnit.SECONDS);
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

    private static Process startChild(String bootstrap, String prefix) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), FilterChildMain.class,
                bootstrap, prefix, "crash-instance"));
        // the replacement joins the group as soon as the dead member's session ends
        builder.environment().put("DANMAKU_KAFKA_SESSION_TIMEOUT_MS", "6000");
        builder.environment().put("DANMAKU_KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.contains(FilterChildMain.READY)) {
                        ready.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // the child was killed
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the filter child JVM did not start within 60 s");
        }
        return process;
    }
}
