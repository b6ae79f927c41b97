package dev.danmaku.launcher;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.InvalidProtocolBufferException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import dev.danmaku.proto.v1.JudgedDanmaku;
import dev.danmaku.proto.v1.RawDanmaku;
import dev.danmaku.proto.v1.RoomEvent;

/**
 * Where a danmaku got to in Kafka, for a test that did not see it arrive: in which raw and filtered
 * records its text appears and how long ago each was written, read committed and uncommitted.
 */
final class DanmakuTrail {

    private static final List<String> TOPICS = List.of("danmaku.raw.v1", "danmaku.filtered.v1");

    private DanmakuTrail() {
    }

    static String of(String bootstrapServers, String text) {
        StringBuilder trail = new StringBuilder();
        try {
            trail.append("unstable now: ").append(unstable(bootstrapServers)).append("; ");
            for (String isolation : List.of("read_uncommitted", "read_committed")) {
                trail.append(isolation).append(": ").append(find(bootstrapServers, text, isolation)).append("; ");
            }
        } catch (RuntimeException e) {
            trail.append("could not read Kafka: ").append(e);
        }
        return trail.toString();
    }

    private static String find(String bootstrapServers, String text, String isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : TOPICS) {
                consumer.partitionsFor(topic, Duration.ofSeconds(5))
                        .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(5));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null && contains(record.value(), needle)) {
                        // when each copy was written and what it says, so a refusal, a late commit or a second judging shows
                        found.add(record.topic() + "-" + record.partition() + "@" + record.offset() + " written "
                                + (System.currentTimeMillis() - record.timestamp()) + " ms ago: " + describe(record));
                    }
                }
            }
            List<String> stuck = partitions.stream()
                    .filter(p -> consumer.position(p) < ends.get(p))
                    .map(p -> p + " at " + consumer.position(p) + " of " + ends.get(p)).toList();
            return "found " + found + (stuck.isEmpty() ? "" : ", not read to the end: " + stuck);
        }
    }

    /** Filtered partitions whose last stable offset lags their end now, with the producers holding them open. */
    private static String unstable(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = new java.util.LinkedHashMap<>();
            for (int p = 0; p < 6; p++) {
                latest.put(new TopicPartition(TOPICS.get(1), p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(5, TimeUnit.SECONDS);
            List<String> lagging = new ArrayList<>();
            for (TopicPartition tp : latest.keySet()) {
                if (stable.get(tp).offset() < ends.get(tp).offset()) {
                    lagging.add(tp + " stable " + stable.get(tp).offset() + " of " + ends.get(tp).offset() + ", open: "
                            + admin.describeProducers(List.of(tp)).partitionResult(tp).get(5, TimeUnit.SECONDS)
                                    .activeProducers().stream().filter(p -> p.currentTransactionStartOffset().isPresent())
                                    .map(p -> p.producerId() + " since " + p.currentTransactionStartOffset().getAsLong()
                                            + ", last write " + (System.currentTimeMillis() - p.lastTimestamp()) + " ms ago")
                                    .toList());
                }
            }
            return lagging.isEmpty() ? "none" : lagging.toString();
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }

    private static String describe(ConsumerRecord<byte[], byte[]> record) {
        try {
            if (record.topic().equals("danmaku.raw.v1")) {
                RawDanmaku raw = RawDanmaku.parseFrom(record.value());
                return raw.getDanmaku().getMsgId() + " from " + raw.getOrigin().getGatewayId() + "/"
                        + raw.getOrigin().getClientMsgId() + (raw.getOrigin().getRetry() ? " (retry)" : "");
            }
            JudgedDanmaku judged = RoomEvent.parseFrom(record.value()).getDanmaku();
            return judged.getDanmaku().getMsgId() + " " + judged.getVerdict() + " " + judged.getReason()
                    + (judged.getRepeat() ? " (repeat)" : "");
        } catch (InvalidProtocolBufferException e) {
            return "undecodable";
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
